namespace Demiurge.GatewayProcess;

/// <summary>
/// Body of <c>PUT /collab/config</c>: the live part of the organization's config (its name,
/// members, projects and storage quota) at <see cref="SettingsRevision"/>. The control plane sends it whenever
/// one of them changes; the gateway applies only a revision newer than the one it holds.
/// </summary>
internal sealed record CollabConfigRequest(
    string? OrganizationId,
    long? SettingsRevision,
    string? OrganizationName,
    IReadOnlyList<MemberAnswer>? Members,
    IReadOnlyList<ProjectAnswer>? Projects,
    long? StorageQuotaBytes);
