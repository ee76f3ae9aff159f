using Demiurge.GatewayProcess.Managers;

namespace Demiurge.GatewayProcess;

/// <summary>
/// The organization a worker serves, as <c>/gateway/config</c> described it. Immutable: it is
/// replaced whole at the next handshake, and dropped at release. <see cref="Projects"/> maps the
/// organization's project ids to their names; <see cref="StorageQuotaBytes"/> bounds the
/// organization's documents and gateway state. The name, members and projects are those of the
/// handshake, at <see cref="SettingsRevision"/>: the live ones, which <c>PUT /collab/config</c>
/// replaces, are the session's (<see cref="OrganizationSession.Projects"/>, its permission manager).
/// </summary>
internal sealed record GatewayAllocation(
    string AllocationId,
    string OrganizationId,
    string OrganizationName,
    string GatewayHostname,
    string AllocationToken,
    string HandshakeTokenHash,
    IReadOnlyList<OrganizationMember> Members,
    IReadOnlyDictionary<string, string> Projects,
    long StorageQuotaBytes,
    long SettingsRevision,
    TimeSpan? InactivityTimeout,
    TimeSpan AutosaveInterval)
{
    /// <summary>The allocation token is a secret; keep it out of logs.</summary>
    public override string ToString() => $"allocation {AllocationId} of organization {OrganizationId}";
}
