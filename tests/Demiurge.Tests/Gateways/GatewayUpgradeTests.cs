using System.Net.Http.Json;
using System.Text.Json;
using Demiurge.Gateways;
using Demiurge.Hosting;
using Demiurge.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Demiurge.Tests.Gateways;

/// <summary>
/// A new build of the worker (seed 002's "update the gateway without affecting others"): idle
/// workers of the older build are replaced at once, a serving one only after its release, so no
/// organization is cut off.
/// </summary>
public sealed class GatewayUpgradeTests : IAsyncLifetime
{
    private readonly PoolFixture _pool = new();
    private readonly BuildRuntime _runtime = new();

    public ValueTask InitializeAsync()
    {
        _pool.Api.ExtraSettings[Settings.PoolCheckInterval.ConfigurationKey] = "100ms";
        _pool.Overrides = services => services.AddSingleton<IInstanceDriver>(_runtime);
        return _pool.InitializeAsync();
    }

    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    [Fact]
    public async Task NewBuild_IdleWorkerRetiredAtOnce_ServingWorkerOnlyAfterItsRelease()
    {
        var (serving, servingId, servingToken) = await _pool.AddReadyWorkerAsync(BuildRuntime.Old);
        var (owner, organizationId) = await _pool.NewOrganizationAsync();
        using (var start = await PoolFixture.StartGatewayAsync(owner.Client, organizationId))
        {
            start.EnsureSuccessStatusCode();
        }

        var (_, idleId, _) = await _pool.AddReadyWorkerAsync(BuildRuntime.Old);
        var (_, currentId, _) = await _pool.AddReadyWorkerAsync(BuildRuntime.New);

        _runtime.Build = BuildRuntime.New;

        await EventuallyAsync(async () => await StateAsync(idleId) == GatewayState.Gone);
        Assert.Equal(GatewayState.Allocated, await StateAsync(servingId));
        Assert.Equal(servingId, (await _pool.Store.AllocationCurrentByOrganizationAsync(organizationId, CancellationToken.None))?.GatewayId);
        Assert.Equal(GatewayState.Ready, await StateAsync(currentId));

        // The organization's users leave: the worker saves, stops and reports ready, as a real one does.
        using (var stop = await serving.PostAsync("/gateway/stop", new { organization_id = organizationId }))
        {
            stop.EnsureSuccessStatusCode();
        }

        using (var ready = await serving.PostAsync("/gateway/ready", new { gateway_id = servingId }, servingToken))
        {
            ready.EnsureSuccessStatusCode();
        }

        await EventuallyAsync(async () => await StateAsync(servingId) == GatewayState.Gone);
        var outdated = (await _pool.Api.Admin.GetFromJsonAsync<JsonElement>("/events?limit=1000")).EnumerateArray()
            .Where(e => e.GetProperty("kind").GetString() == GatewayEventKinds.GatewayOutdated).Select(e => e.GetProperty("subject_id").GetString()).Order();
        Assert.Equal(new[] { idleId, servingId }.Order(), outdated);
        Assert.Equal(GatewayState.Ready, await StateAsync(currentId));
    }

    private async Task<GatewayState?> StateAsync(string gatewayId) => (await _pool.Store.GatewayGetAsync(gatewayId, CancellationToken.None))?.State;

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!await condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    /// <summary>The driver of the fixture's test workers, whose build the test changes: it starts none and finds every worker running.</summary>
    private sealed class BuildRuntime : IInstanceDriver
    {
        public const string Old = "old-build";
        public const string New = "new-build";

        public string Name => "test";

        public string Build { get; set; } = Old;

        public Task<InstanceHandle> StartAsync(InstanceSpec spec, CancellationToken cancellationToken) => throw new InvalidOperationException("The test starts its workers itself.");

        public ValueTask<bool> IsRunningAsync(InstanceHandle instance, CancellationToken cancellationToken) => ValueTask.FromResult(true);

        public Task StopAsync(InstanceHandle instance, TimeSpan grace, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task RemoveLeftoversAsync(IReadOnlySet<string> goneInstanceIds, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
