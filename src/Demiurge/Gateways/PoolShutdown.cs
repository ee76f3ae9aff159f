using Demiurge.Coordination;
using Demiurge.Runtime;

namespace Demiurge.Gateways;

/// <summary>
/// On shutdown, before the API stops: SIGTERM every worker (each pushes its data to the
/// still-running API), then mark them gone and release their organizations. The workers belong
/// to the pool, which only the leader keeps: a follower leaving stops none.
/// </summary>
internal sealed class PoolShutdown(
    IGatewayStore store, IInstanceDriver driver, GatewayRemover remover, ILeadership leadership, IHostApplicationLifetime lifetime) : IHostedService
{
    private static readonly TimeSpan s_stopGrace = TimeSpan.FromSeconds(10);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(StopWorkers);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void StopWorkers()
    {
        if (!leadership.IsLeader)
        {
            return;
        }

        var gateways = store.GatewayListAsync(CancellationToken.None).GetAwaiter().GetResult()
            .Where(g => g.State != GatewayState.Gone && g.Instance is not null && g.Runtime == driver.Name).ToList();
        Task.WhenAll(gateways.Select(gateway => remover.StopAsync(gateway, s_stopGrace, "the control plane stopped", CancellationToken.None))).GetAwaiter().GetResult();
    }
}
