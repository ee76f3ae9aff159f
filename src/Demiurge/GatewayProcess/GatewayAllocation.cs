namespace Demiurge.GatewayProcess;

/// <summary>
/// The allocation a worker serves, as <c>/gateway/config</c> described it. Immutable: it is
/// replaced whole at the next handshake, and dropped at release. The organization's config,
/// which <c>PUT /collab/config</c> replaces while serving, is the session's
/// (<see cref="OrganizationSession.Config"/>).
/// </summary>
internal sealed record GatewayAllocation(
    string AllocationId,
    string OrganizationId,
    string GatewayHostname,
    string AllocationToken,
    string HandshakeTokenHash,
    TimeSpan? InactivityTimeout,
    TimeSpan AutosaveInterval)
{
    /// <summary>The allocation token is a secret; keep it out of logs.</summary>
    public override string ToString() => $"allocation {AllocationId} of organization {OrganizationId}";
}
