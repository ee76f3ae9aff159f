using Demiurge.Events;
using Demiurge.Reconciliation;
using Demiurge.Runtime;

namespace Demiurge.Gateways;

/// <summary>
/// Keeps the pool's size, as one entity (<see cref="PoolId"/>): at least <c>--pool-size</c> live
/// workers, and while fewer than <c>--pool-min-ready</c> are ready or starting,
/// <c>--pool-scale-step</c> more, never over <c>--pool-max</c>. It also counts the gateways by
/// state for <c>/metrics</c> and removes what gone workers left on the driver. It never stops
/// a worker: workers leave through <see cref="GatewayReconciler"/>.
/// </summary>
internal sealed partial class PoolAutoscaler(
    IGatewayStore store,
    IEventStore events,
    IInstanceDriver driver,
    GatewayLauncher launcher,
    IOptions<PoolOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<PoolAutoscaler> logger) : IReconciler
{
    public const string Kind = "pool";

    /// <summary>The pool's one id.</summary>
    public const string PoolId = "pool";

    string IReconciler.Kind => Kind;

    public TimeSpan ResyncInterval { get; } = options.Value.CheckInterval;

    public Task<IReadOnlyCollection<string>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyCollection<string>>([PoolId]);

    public async Task ReconcileAsync(string id, CancellationToken cancellationToken)
    {
        var gateways = await store.GatewayListAsync(cancellationToken);
        await driver.RemoveLeftoversAsync(gateways.Where(g => g.State == GatewayState.Gone && g.Runtime == driver.Name).Select(g => g.GatewayId).ToHashSet(), cancellationToken);
        DemiurgeMetrics.GatewaysCounted(Enum.GetValues<GatewayState>().ToDictionary(s => s.ToText(), s => gateways.Count(g => g.State == s)));
        // While shutting down, PoolShutdown marks workers gone: they must not be replaced.
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return;
        }

        var pool = options.Value;
        var live = gateways.Count(g => g.IsLive);
        var available = gateways.Count(g => g.State is GatewayState.Ready or GatewayState.Starting);
        var toStart = Math.Max(0, pool.Size - live);
        if (available + toStart < pool.MinReady && live + toStart < pool.Max)
        {
            var added = Math.Min(pool.ScaleStep, pool.Max - live - toStart);
            toStart += added;
            DemiurgeMetrics.PoolScaled(added);
            LogScaled(logger, available, pool.MinReady, added, live + toStart);
            await events.EventAppendAsync(
                new AuditEvent(Ids.New(), GatewayEventKinds.PoolScaled, null, null, null, $"ready {available} < min {pool.MinReady}: +{added}", time.GetUtcNowMilliseconds()),
                cancellationToken);
        }

        await launcher.LaunchAsync(toStart, cancellationToken);
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Scaling the pool: {Ready} ready or starting is below the minimum of {MinReady}; adding {Added}, {Target} live")]
    private static partial void LogScaled(ILogger logger, int ready, int minReady, int added, int target);
}
