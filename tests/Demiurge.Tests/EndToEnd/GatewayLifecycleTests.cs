using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Demiurge.Gateways;
using Demiurge.Hosting;
using Demiurge.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Demiurge.Tests.EndToEnd;

/// <summary>
/// The pool with real workers (<c>demiurge gateway</c>), started by the control plane's process
/// runtime; a subclass runs the same tests on another runtime (Docker).
/// </summary>
public partial class GatewayLifecycleTests : IAsyncLifetime
{
    // Generous: four Docker containers (or workers) starting while the whole suite runs beside them.
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(90);

    private readonly TempDirectory _dataDir = new();
    private ControlPlane _controlPlane = null!;

    internal ControlPlane ControlPlane => _controlPlane;

    protected HttpClient Admin => _admin;
    private HttpClient _admin = null!;
    private readonly HttpClient _direct = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>Adds the settings that select the runtime under test; the process runtime is the default.</summary>
    protected virtual void ConfigureRuntime(Dictionary<string, string?> settings)
    {
    }

    protected async Task StartAsync(int poolSize, int minReady = 0, int scaleStep = 1, int max = 4, string inactivity = "2s", string autosave = "300ms")
    {
        var settings = ControlPlaneFixture.QuietSettings(_dataDir.Path);
        settings[Settings.AdminToken.ConfigurationKey] = "lifecycle-admin-token-0123";
        settings[Settings.PoolSize.ConfigurationKey] = poolSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings[Settings.PoolMinReady.ConfigurationKey] = minReady.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings[Settings.PoolScaleStep.ConfigurationKey] = scaleStep.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings[Settings.PoolMax.ConfigurationKey] = max.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings[Settings.PoolCheckInterval.ConfigurationKey] = "300ms";
        settings[Settings.PoolPorts.ConfigurationKey] = PortBlocks.Next();
        settings[Settings.GatewayInactivityTimeout.ConfigurationKey] = inactivity;
        settings[Settings.GatewayAutosaveInterval.ConfigurationKey] = autosave;
        ConfigureRuntime(settings);
        _controlPlane = ControlPlane.Create(settings, new Dictionary<string, string>());
        await _controlPlane.StartAsync(CancellationToken.None);
        _admin = new HttpClient { BaseAddress = _controlPlane.ApiUrl };
        _admin.DefaultRequestHeaders.Authorization = new("Bearer", "lifecycle-admin-token-0123");
        // Project documents are members only; the admin owns the organizations it creates.
        _direct.DefaultRequestHeaders.Authorization = new("Bearer", "lifecycle-admin-token-0123");
    }

    [Fact]
    public async Task Gateway_ServesReleasesServesAnotherWithoutRestart_ThenRestoresTheFirst()
    {
        // No autosave in this test: only the final pushes (inactivity, admin release) save data.
        await StartAsync(poolSize: 1, max: 1, autosave: "1h");
        var first = (await WaitForAsync("one ready gateway", async () => (await GatewaysAsync()).SingleOrDefault(g => g.GetProperty("state").GetString() == "ready") is { ValueKind: JsonValueKind.Object } g ? g : (JsonElement?)null))!.Value;
        var gatewayId = first.GetProperty("gateway_id").GetString();
        var pid = first.GetProperty("pid").GetInt32();
        var address = first.GetProperty("address").GetString()!;
        var organizationA = await CreateOrganizationAsync("A");
        var organizationB = await CreateOrganizationAsync("B");
        var (projectA, projectB) = (await CreateProjectAsync(organizationA, "a"), await CreateProjectAsync(organizationB, "b"));

        // A: allocate, write through the gateway, then stay idle until released.
        Assert.Equal(gatewayId, await StartGatewayAsync(organizationA));
        await PutStateAsync(address, projectA, "hello from A");
        await WaitForReleaseAsync(organizationA);
        var saved = await _admin.GetFromJsonAsync<JsonElement>("/events?limit=1000");
        Assert.Contains(saved.EnumerateArray(), e => e.GetProperty("kind").GetString() == GatewayEventKinds.AllocationReleased && e.GetProperty("organization_id").GetString() == organizationA);

        // B: the same worker process serves the next organization and sees nothing of A's.
        Assert.Equal(gatewayId, await StartGatewayAsync(organizationB));
        Assert.Equal(pid, (await GatewaysAsync()).Single(g => g.GetProperty("gateway_id").GetString() == gatewayId).GetProperty("pid").GetInt32());
        Assert.Null(await GetStateAsync(address, projectB));
        await PutStateAsync(address, projectB, "hello from B");

        // An admin releases B at once: the worker drains (final push) before it lets go.
        using (var release = await _admin.PostAsync($"/gateways/{gatewayId}/release", null))
        {
            Assert.Equal(HttpStatusCode.OK, release.StatusCode);
        }

        await WaitForReleaseAsync(organizationB);
        Assert.True(await DataVersionAsync(organizationB) > 0, "B's last write was not pushed before the release.");
        var stored = await _controlPlane.Services.GetRequiredService<IGatewayStore>().OrganizationDataGetAsync(organizationB, CancellationToken.None);
        Assert.Equal("hello from B", Encoding.UTF8.GetString(Convert.FromBase64String(stored.Projects[projectB])));

        // A again: its data comes back from the control plane.
        Assert.Equal(gatewayId, await StartGatewayAsync(organizationA));
        Assert.Equal("hello from A", await GetStateAsync(address, projectA));

        // GWMONITORING: pool and allocation metrics (the domain meter is process-wide).
        var metrics = (await _admin.GetStringAsync("/metrics")).Split('\n');
        Assert.Contains(metrics, l => l.StartsWith("demiurge_gateway_allocations_total{", StringComparison.Ordinal) && l.Contains("result=\"allocated\"", StringComparison.Ordinal));
        Assert.Contains(metrics, l => l.StartsWith("demiurge_gateway_allocation_duration_seconds_bucket{", StringComparison.Ordinal));
        Assert.Contains(metrics, l => l.StartsWith("demiurge_gateway_releases_total{", StringComparison.Ordinal) && l.Contains("reason=\"gateway_stop\"", StringComparison.Ordinal));
        Assert.Contains(metrics, l => l.StartsWith("demiurge_gateways{", StringComparison.Ordinal) && l.Contains("state=\"allocated\"", StringComparison.Ordinal));
        Assert.Equal(pid, (await GatewaysAsync()).Single(g => g.GetProperty("gateway_id").GetString() == gatewayId).GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task Worker_KilledWhileServing_IsReplacedAndItsOrganizationReleased()
    {
        await StartAsync(poolSize: 2, inactivity: "off");
        await WaitForAsync("two ready gateways", async () => (await GatewaysAsync()).Count(g => g.GetProperty("state").GetString() == "ready") == 2 ? true : (bool?)null);
        var organization = await CreateOrganizationAsync("Doomed");
        var project = await CreateProjectAsync(organization, "p");
        var gatewayId = await StartGatewayAsync(organization);
        var victim = (await GatewaysAsync()).Single(g => g.GetProperty("gateway_id").GetString() == gatewayId);
        await PutStateAsync(victim.GetProperty("address").GetString()!, project, "saved by autosave");
        await WaitForAsync("the autosave", async () => await DataVersionAsync(organization) > 0 ? true : (bool?)null);

        using (var process = Process.GetProcessById(victim.GetProperty("pid").GetInt32()))
        {
            process.Kill();
        }

        await WaitForAsync("the victim to be gone and replaced", async () =>
        {
            var gateways = await GatewaysAsync();
            var gone = gateways.Any(g => g.GetProperty("gateway_id").GetString() == gatewayId && g.GetProperty("state").GetString() == "gone");
            return gone && gateways.Count(g => g.GetProperty("state").GetString() == "ready") == 2 ? true : (bool?)null;
        });
        var again = await StartGatewayAsync(organization);
        Assert.NotEqual(gatewayId, again);
        var address = (await GatewaysAsync()).Single(g => g.GetProperty("gateway_id").GetString() == again).GetProperty("address").GetString()!;
        Assert.Equal("saved by autosave", await GetStateAsync(address, project));
    }

    [Fact]
    public async Task Worker_StopsAnsweringPings_IsMarkedUnhealthyThenReplaced()
    {
        await StartAsync(poolSize: 1, max: 2);
        var frozen = (await WaitForAsync("one ready gateway", async () => (await GatewaysAsync()).SingleOrDefault(g => g.GetProperty("state").GetString() == "ready") is { ValueKind: JsonValueKind.Object } g ? g : (JsonElement?)null))!.Value;
        var frozenId = frozen.GetProperty("gateway_id").GetString();
        var pid = frozen.GetProperty("pid").GetInt32();

        // Alive but silent: SIGSTOP, the way a wedged process looks from outside.
        using (var stop = Process.Start("kill", ["-STOP", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await stop.WaitForExitAsync();
        }

        await WaitForAsync("the silent worker to be gone and replaced", async () =>
        {
            var gateways = await GatewaysAsync();
            return gateways.Any(g => g.GetProperty("gateway_id").GetString() == frozenId && g.GetProperty("state").GetString() == "gone")
                && gateways.Any(g => g.GetProperty("gateway_id").GetString() != frozenId && g.GetProperty("state").GetString() == "ready") ? true : (bool?)null;
        });
        var events = await _admin.GetFromJsonAsync<JsonElement>("/events?limit=1000");
        Assert.Contains(events.EnumerateArray(), e => e.GetProperty("kind").GetString() == GatewayEventKinds.GatewayFailed && e.GetProperty("subject_id").GetString() == frozenId);
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
    }

    [Fact]
    public async Task Release_OneMemberFillsManyProjectsWithLargeDocuments_TheColleaguesEditIsSavedAndTheReleaseHappens()
    {
        // The review's reproduction: six documents of about 3.9 MB (base64) are more than one
        // push may carry. No autosave: the release's final push must save everything. The
        // inactivity leaves room for six 3.9 MB uploads on a loaded machine before the last edit.
        await StartAsync(poolSize: 1, max: 1, inactivity: "10s", autosave: "1h");
        var organization = await CreateOrganizationAsync("Crowded");
        var large = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            large.Add(await CreateProjectAsync(organization, $"large {i}"));
        }

        var edited = await CreateProjectAsync(organization, "colleague's");
        var gatewayId = await StartGatewayAsync(organization);
        var address = (await GatewaysAsync()).Single(g => g.GetProperty("gateway_id").GetString() == gatewayId).GetProperty("address").GetString()!;
        await Task.WhenAll(large.Select((project, i) => PutStateAsync(address, project, new string((char)('a' + i), 2_900_000))));
        await PutStateAsync(address, edited, "a colleague's small edit");

        await WaitForReleaseAsync(organization);

        var stored = await _controlPlane.Services.GetRequiredService<IGatewayStore>().OrganizationDataGetAsync(organization, CancellationToken.None);
        Assert.Equal("a colleague's small edit", Encoding.UTF8.GetString(Convert.FromBase64String(stored.Projects[edited])));
        Assert.All(large.Select((project, i) => (project, i)), p => Assert.Equal(new string((char)('a' + p.i), 2_900_000), Encoding.UTF8.GetString(Convert.FromBase64String(stored.Projects[p.project]))));
        Assert.True(stored.Version >= 2, $"Everything went in one push (version {stored.Version}), over the push limit.");
    }

    [Fact]
    public async Task Pool_BelowMinReady_ScalesUpByTheStepToTheMaximum()
    {
        await StartAsync(poolSize: 1, minReady: 2, scaleStep: 3, max: 4);

        try
        {
            await WaitForAsync("four ready gateways", async () => (await GatewaysAsync()).Count(g => g.GetProperty("state").GetString() == "ready") == 4 ? true : (bool?)null);
        }
        catch (TimeoutException exception)
        {
            // What the pool went through, to tell a slow start from workers that came and went.
            var gateways = string.Join("\n", (await GatewaysAsync()).Select(g => g.ToString()));
            var history = string.Join("\n", (await _admin.GetFromJsonAsync<JsonElement>("/events?limit=1000")).EnumerateArray().Select(e => e.ToString()));
            throw new TimeoutException($"{exception.Message}\nGateways:\n{gateways}\nEvents:\n{history}", exception);
        }

        var events = await _admin.GetFromJsonAsync<JsonElement>("/events?limit=1000");
        Assert.Contains(events.EnumerateArray(), e => e.GetProperty("kind").GetString() == GatewayEventKinds.PoolScaled);
        await Task.Delay(1000);
        Assert.Equal(4, (await GatewaysAsync()).Count(g => g.GetProperty("state").GetString() != "gone"));
    }

    protected async Task<string> CreateOrganizationAsync(string name)
    {
        using var response = await _admin.PostAsJsonAsync("/orgs", new { name });
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("organization_id").GetString()!;
    }

    /// <summary>A project of the organization; create it before the gateway starts, whose config lists the projects.</summary>
    protected async Task<string> CreateProjectAsync(string organizationId, string name)
    {
        using var response = await _admin.PostAsJsonAsync($"/orgs/{organizationId}/projects", new { name });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("project_id").GetString()!;
    }

    protected async Task<string> StartGatewayAsync(string organizationId) =>
        await WaitForAsync("the gateway to start", async () =>
        {
            using var response = await _admin.PostAsJsonAsync("/gateway/start", new { organization_id = organizationId });
            return response.StatusCode == HttpStatusCode.OK
                ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("gateway_id").GetString()
                : null;
        });

    protected async Task WaitForReleaseAsync(string organizationId) =>
        await WaitForAsync("the release after inactivity", async () =>
            (await GatewaysAsync()).Any(g => g.GetProperty("organization_id").GetString() == organizationId) ? null : (bool?)true);

    protected async Task<long> DataVersionAsync(string organizationId)
    {
        var store = _controlPlane.Services.GetRequiredService<IGatewayStore>();
        return (await store.OrganizationDataGetAsync(organizationId, CancellationToken.None)).Version;
    }

    protected async Task PutStateAsync(string gateway, string project, string text)
    {
        using var response = await _direct.PutAsJsonAsync($"{gateway}/projects/{project}/state", new { state = Convert.ToBase64String(Encoding.UTF8.GetBytes(text)) });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    protected async Task<string?> GetStateAsync(string gateway, string project)
    {
        var body = await _direct.GetFromJsonAsync<JsonElement>($"{gateway}/projects/{project}/state");
        return body.GetProperty("state").GetString() is { } state ? Encoding.UTF8.GetString(Convert.FromBase64String(state)) : null;
    }

    protected async Task<List<JsonElement>> GatewaysAsync() =>
        [.. (await _admin.GetFromJsonAsync<JsonElement>("/gateways")).EnumerateArray()];

    protected static async Task<T> WaitForAsync<T>(string what, Func<Task<T?>> probe)
    {
        var deadline = DateTime.UtcNow + s_deadline;
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Timed out waiting for {what}.");
    }

    public virtual async ValueTask DisposeAsync()
    {
        _direct.Dispose();
        _admin?.Dispose();
        if (_controlPlane is not null)
        {
            await _controlPlane.StopAsync(CancellationToken.None);
            await _controlPlane.DisposeAsync();
        }

        _dataDir.Dispose();
        GC.SuppressFinalize(this);
    }
}
