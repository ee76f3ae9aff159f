using Demiurge.Events;
using Demiurge.Runtime;

namespace Demiurge.Gateways;

/// <summary>
/// Takes a gateway out of the pool for good: its worker is stopped, its organization released
/// (or its saga rolled back) so that the next start allocates afresh, and it is marked gone.
/// </summary>
internal sealed partial class GatewayRemover(
    IGatewayStore store,
    IInstanceDriver driver,
    GatewayAllocator allocator,
    TimeProvider time,
    ILogger<GatewayRemover> logger)
{
    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/> (the worker pushes its data meanwhile), then <see cref="MarkGoneAsync"/>.</summary>
    public async Task StopAsync(Gateway gateway, TimeSpan grace, string reason, CancellationToken cancellationToken)
    {
        if (gateway.Instance is { } instance)
        {
            await driver.StopAsync(instance, grace, cancellationToken);
        }

        await MarkGoneAsync(gateway, reason, cancellationToken);
    }

    /// <summary>The worker is gone (or never came): its organization, if any, is released, and the gateway marked gone.</summary>
    public async Task MarkGoneAsync(Gateway gateway, string reason, CancellationToken cancellationToken)
    {
        LogGone(logger, gateway.GatewayId, reason);
        if (await store.AllocationCurrentByGatewayAsync(gateway.GatewayId, cancellationToken) is { } allocation)
        {
            if (allocation.Step == AllocationStep.Active)
            {
                DemiurgeMetrics.Released("gateway_gone");
                await allocator.ReleaseAsync(allocation, "gateway gone: " + reason, GatewayState.Gone, null, cancellationToken);
            }
            else
            {
                await allocator.RollBackAsync(allocation, "the gateway is gone: " + reason, gatewayAtFault: true, cancellationToken);
            }
        }

        await store.GatewayTransitionAsync(gateway.GatewayId,
            [GatewayState.Starting, GatewayState.Ready, GatewayState.Allocating, GatewayState.Allocated, GatewayState.Releasing, GatewayState.Unhealthy],
            GatewayState.Gone, new AuditEvent(Ids.New(), GatewayEventKinds.GatewayGone, null, null, gateway.GatewayId, reason, time.GetUtcNowMilliseconds()), cancellationToken);
    }

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Gateway {GatewayId} is gone: {Reason}")]
    private static partial void LogGone(ILogger logger, string gatewayId, string reason);
}
