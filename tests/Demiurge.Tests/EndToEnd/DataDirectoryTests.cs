using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Edge;
using Demiurge.Store;
using Demiurge.Tests.Infrastructure;

namespace Demiurge.Tests.EndToEnd;

/// <summary>The data directory holds credentials: nothing in it is readable by another local user, except the CA's certificate.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataDirectoryTests
{
    private const string Token = "data-dir-admin-token-0123";
    private const UnixFileMode GroupAndOther = (UnixFileMode)0b000_111_111;
    private const UnixFileMode WorldReadableFile = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode WorldReadableFolder = WorldReadableFile | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    [Fact]
    public async Task Up_OlderDataDirAndAWorkerThatLogged_LeavesNothingOpenToGroupOrOthersButTheCaCertificate()
    {
        using var dataDir = new TempDirectory();
        // What an older version left: everything readable by everyone.
        File.SetUnixFileMode(dataDir.Path, WorldReadableFolder);
        var logs = Directory.CreateDirectory(Path.Combine(dataDir.Path, "logs"), WorldReadableFolder);
        File.SetUnixFileMode(logs.FullName, WorldReadableFolder);
        var oldLog = Path.Combine(logs.FullName, "gateway-old.log");
        await File.WriteAllTextAsync(oldLog, "a line from before\n");
        File.SetUnixFileMode(oldLog, WorldReadableFile);

        await using var up = DemiurgeProcess.Start(
        [
            "up", "--data-dir", dataDir.Path, "--api-port", "0", "--admin-token", Token, "--pool-ports", PortBlocks.Next(),
            "--pool-size", "1", "--pool-min-ready", "0", "--pool-max", "1", "--gateway-inactivity-timeout", "off",
        ]);
        using var admin = new HttpClient { BaseAddress = new Uri(await up.WaitForOutputAsync("API:")) };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        await up.WaitForOutputAsync("Press Ctrl-C");

        // An allocation: the store is written, and the worker logs its start and the handshake.
        using var created = await admin.PostAsJsonAsync("/orgs", new { name = "Private" });
        var organizationId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("organization_id").GetString()!;
        await StartGatewayAsync(admin, organizationId);
        await WaitUntilAsync(() => Directory.GetFiles(logs.FullName, "gateway-*.log").Any(f => f != oldLog && new FileInfo(f).Length > 0));

        // Checked while running, when SQLite's -wal and -shm files exist.
        var entries = new DirectoryInfo(dataDir.Path).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Prepend(new DirectoryInfo(dataDir.Path))
            .ToList();
        var names = entries.Select(e => Path.GetRelativePath(dataDir.Path, e.FullName)).ToList();
        Assert.Contains(Path.Combine(EdgeHost.FolderName, LocalCertificateAuthority.KeyFileName), names);
        Assert.Contains(names, n => n.StartsWith("logs/gateway-", StringComparison.Ordinal) && n != "logs/gateway-old.log");
        if (!TestStore.IsPostgres)
        {
            Assert.Contains(StoreExtensions.DatabaseFileName, names);
            Assert.Contains(StoreExtensions.DatabaseFileName + "-wal", names);
            Assert.Contains(StoreExtensions.DatabaseFileName + "-shm", names);
        }

        var certificate = Path.Combine(EdgeHost.FolderName, LocalCertificateAuthority.CertificateFileName);
        Assert.Contains(certificate, names);
        var open = entries
            .Where(e => (e.UnixFileMode & GroupAndOther) != 0 && Path.GetRelativePath(dataDir.Path, e.FullName) != certificate)
            .Select(e => $"{Path.GetRelativePath(dataDir.Path, e.FullName)} {Convert.ToString((int)e.UnixFileMode, 8)}")
            .ToList();
        Assert.True(open.Count == 0, "Open to group or others: " + string.Join(", ", open));
    }

    private static async Task StartGatewayAsync(HttpClient admin, string organizationId)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await admin.PostAsJsonAsync("/gateway/start", new { organization_id = organizationId });
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 100)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return;
            }

            await Task.Delay(200);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var attempt = 0; attempt < 100 && !condition(); attempt++)
        {
            await Task.Delay(100);
        }

        Assert.True(condition());
    }
}
