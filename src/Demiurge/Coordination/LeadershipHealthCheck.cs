using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Demiurge.Coordination;

/// <summary>Says in <c>/readyz</c> whether this instance leads; a follower is as ready as the leader.</summary>
internal sealed class LeadershipHealthCheck(ILeadership leadership) : IHealthCheck
{
    public const string Leader = "leader";
    public const string Follower = "follower";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy(leadership.IsLeader ? Leader : Follower));
}
