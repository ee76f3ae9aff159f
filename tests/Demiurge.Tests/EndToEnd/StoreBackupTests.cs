using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Demiurge.Gateways;
using Demiurge.Hosting;
using Demiurge.Store;
using Demiurge.Tests.Cli;
using Demiurge.Tests.Gateways;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Demiurge.Tests.EndToEnd;

/// <summary>
/// <c>demiurge backup</c> taken while organizations, projects and data pushes are being written,
/// restored with <c>demiurge restore</c> into a new data directory (and a new database), and read
/// back through a control plane started on it.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StoreBackupTests(PostgresClusterFixture postgres) : IClassFixture<PostgresClusterFixture>
{
    private const UnixFileMode GroupAndOther = (UnixFileMode)0b000_111_111;

    [Fact]
    public Task BackupAndRestore_Sqlite_UnderLoad_EveryOrganizationProjectAndTheDataReadBack() =>
        BackupUnderLoadAsync(() => new Target(StoreOptions.Sqlite, null));

    [Fact]
    public Task BackupAndRestore_Postgres_UnderLoad_EveryOrganizationProjectAndTheDataReadBack() =>
        BackupUnderLoadAsync(() => new Target(StoreOptions.Postgres, postgres.Server.CreateDatabase()));

    [Fact]
    public async Task Restore_NotABackup_FailsClearlyAndCreatesNothing()
    {
        using var folder = new TempDirectory();
        var input = Path.Combine(folder.Path, "notes.tar");
        await File.WriteAllTextAsync(input, new string('x', 2048));
        var dataDir = Path.Combine(folder.Path, "data");

        var result = await CliResult.RunAsync("restore", "--input", input, "--data-dir", dataDir, "--store", "sqlite");

        result.AssertExitCode(1);
        Assert.Contains("is not a Demiurge backup", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dataDir));
    }

    private sealed record Target(string Store, string? ConnectionString)
    {
        public string[] Flags => ConnectionString is null ? ["--store", Store] : ["--store", Store, "--postgres", ConnectionString];

        public Dictionary<string, string?> Settings(string dataDir)
        {
            var settings = ControlPlaneFixture.QuietSettings(dataDir);
            settings[StoreSettings.Provider.ConfigurationKey] = Store;
            settings[StoreSettings.Postgres.ConfigurationKey] = ConnectionString;
            return settings;
        }
    }

    private static async Task BackupUnderLoadAsync(Func<Target> newTarget)
    {
        var source = newTarget();
        using var folder = new TempDirectory();
        var archive = Path.Combine(folder.Path, "backup.tar");
        List<(string Organization, string Project)> before;
        HashSet<string> after;
        long pushedBefore;
        string allocatedOrganization, allocatedProject, adminToken;
        byte[] masterKey;
        await using (var pool = new PoolFixture())
        {
            foreach (var (key, value) in source.Settings(pool.Api.DataDir.Path))
            {
                pool.Api.ExtraSettings[key] = value;
            }

            await pool.InitializeAsync();
            adminToken = pool.Api.AdminToken;
            // The lead's master key, or a stand-in when this build writes none: either way it must travel with the backup.
            var masterKeyPath = Path.Combine(pool.Api.DataDir.Path, "master.key");
            if (!File.Exists(masterKeyPath))
            {
                await File.WriteAllBytesAsync(masterKeyPath, Encoding.ASCII.GetBytes(Guid.NewGuid().ToString("N")));
            }

            masterKey = await File.ReadAllBytesAsync(masterKeyPath);

            var (worker, _, _) = await pool.AddReadyWorkerAsync();
            var (owner, organizationId) = await pool.NewOrganizationAsync();
            allocatedOrganization = organizationId;
            allocatedProject = await CreateProjectAsync(owner.Client, organizationId, "Pushed");
            using (var started = await PoolFixture.StartGatewayAsync(owner.Client, organizationId))
            {
                Assert.Equal(HttpStatusCode.OK, started.StatusCode);
            }

            var created = new ConcurrentQueue<(string Organization, string Project, bool AfterBackup)>();
            long pushed = 0;
            var backupDone = false;
            using var stop = new CancellationTokenSource();
            var creating = Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var afterBackup = Volatile.Read(ref backupDone);
                    var organization = await ControlPlaneFixture.CreateOrganizationAsync(owner.Client, $"Load {i}");
                    created.Enqueue((organization, await CreateProjectAsync(owner.Client, organization, $"Project {i}"), afterBackup));
                }
            });
            var pushing = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var version = Interlocked.Read(ref pushed);
                    using var push = await worker.PostAsync("/gateway/data/push", new
                    {
                        organization_id = organizationId,
                        version,
                        data = new { yjs_state = new Dictionary<string, string> { [allocatedProject] = State(version + 1) } },
                    });
                    Assert.Equal(HttpStatusCode.OK, push.StatusCode);
                    Interlocked.Exchange(ref pushed, (await push.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64());
                }
            });

            await WaitUntilAsync(() => created.Count >= 5 && Interlocked.Read(ref pushed) >= 5);
            before = [.. created.Select(c => (c.Organization, c.Project))];
            pushedBefore = Interlocked.Read(ref pushed);
            var backup = await CliResult.RunAsync(["backup", "--output", archive, "--data-dir", pool.Api.DataDir.Path, .. source.Flags]);
            Volatile.Write(ref backupDone, true);
            backup.AssertExitCode(0);
            await WaitUntilAsync(() => created.Count(c => c.AfterBackup) >= 3);
            await stop.CancelAsync();
            await Task.WhenAll(creating, pushing);
            after = [.. created.Where(c => c.AfterBackup).Select(c => c.Organization)];
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(archive));
        var target = source.ConnectionString is null ? source : newTarget();
        var restoredDir = Path.Combine(folder.Path, "restored");
        (await CliResult.RunAsync(["restore", "--input", archive, "--data-dir", restoredDir, .. target.Flags])).AssertExitCode(0);
        Assert.Equal(masterKey, await File.ReadAllBytesAsync(Path.Combine(restoredDir, "master.key")));
        Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(restoredDir) & GroupAndOther);
        Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(Path.Combine(restoredDir, "master.key")) & GroupAndOther);

        await using (var restored = ControlPlane.Create(target.Settings(restoredDir), environment: new Dictionary<string, string>()))
        {
            Assert.Null(await restored.StartAsync(CancellationToken.None)); // the admin came back with the store
            using var admin = new HttpClient { BaseAddress = restored.ApiUrl };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
            var organizations = (await admin.GetFromJsonAsync<JsonElement>("/orgs")).EnumerateArray().Select(o => o.GetProperty("organization_id").GetString()!).ToHashSet();
            Assert.Contains(allocatedOrganization, organizations);
            foreach (var (organization, project) in before)
            {
                Assert.Contains(organization, organizations);
                var projects = await admin.GetFromJsonAsync<JsonElement>($"/orgs/{organization}/projects");
                Assert.Contains(projects.EnumerateArray(), p => p.GetProperty("project_id").GetString() == project);
            }

            // A snapshot of one moment: nothing begun after the backup returned is in it.
            Assert.Empty(organizations.Intersect(after));

            var data = await restored.Services.GetRequiredService<IGatewayStore>().OrganizationDataGetAsync(allocatedOrganization, CancellationToken.None);
            Assert.True(data.Version >= pushedBefore, $"Restored version {data.Version}, pushed before the backup {pushedBefore}.");
            Assert.Equal(State(data.Version), data.Projects[allocatedProject]);
            await restored.StopAsync(CancellationToken.None);
        }

        // Restoring over a store that is not empty is refused, and changes nothing; --force replaces it.
        var refused = await CliResult.RunAsync(["restore", "--input", archive, "--data-dir", restoredDir, .. target.Flags]);
        refused.AssertExitCode(1);
        Assert.Contains("not empty", refused.Error, StringComparison.Ordinal);
        (await CliResult.RunAsync(["restore", "--input", archive, "--data-dir", restoredDir, "--force", .. target.Flags])).AssertExitCode(0);
    }

    private static string State(long version) => Convert.ToBase64String(Encoding.ASCII.GetBytes($"state {version}"));

    private static async Task<string> CreateProjectAsync(HttpClient client, string organizationId, string name)
    {
        using var response = await client.PostAsJsonAsync($"/orgs/{organizationId}/projects", new { name });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("project_id").GetString()!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var attempt = 0; attempt < 300 && !condition(); attempt++)
        {
            await Task.Delay(100);
        }

        Assert.True(condition());
    }
}
