using Demiurge.GatewayProcess.Managers;

namespace Demiurge.GatewayProcess;

/// <summary>
/// The organization a worker serves, as <c>/gateway/config</c> described it. Immutable: it is
/// replaced whole at the next handshake, and dropped at release.
/// </summary>
internal sealed record GatewayAllocation(
    string AllocationId,
    string OrganizationId,
    string GatewayHostname,
    string AllocationToken,
    string HandshakeTokenHash,
    IReadOnlyList<OrganizationMember> Members,
    TimeSpan? InactivityTimeout,
    TimeSpan AutosaveInterval)
{
    /// <summary>The allocation token is a secret; keep it out of logs.</summary>
    public override string ToString() => $"allocation {AllocationId} of organization {OrganizationId}";
}
