namespace Demiurge.Coordination;

/// <summary>
/// The embedded store has one writer process, and that process always leads: there is no
/// lock to hold, so starting and stopping do nothing.
/// </summary>
internal sealed class SingleProcessLeadership : ILeadership, IHostedService
{
    public bool IsLeader => true;

    public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken) => Task.FromResult(CancellationToken.None);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
