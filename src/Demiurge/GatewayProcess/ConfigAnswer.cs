using System.Text.Json;

namespace Demiurge.GatewayProcess;

/// <summary>The control plane's answer to <c>POST /gateway/config</c>: the organization this gateway now serves.</summary>
/// <remarks>
/// The two durations are kept as raw JSON so that an absent field (use this worker's flag) can be
/// told from <c>null</c> (disabled) and from a number of seconds.
/// </remarks>
internal sealed record ConfigAnswer(
    string AllocationId,
    string OrganizationId,
    string GatewayId,
    string GatewayHostname,
    string AllocationToken,
    string? OrganizationName = null,
    IReadOnlyList<MemberAnswer>? Members = null,
    IReadOnlyList<ProjectAnswer>? Projects = null,
    long? StorageQuotaBytes = null,
    long SettingsRevision = 0,
    JsonElement InactivityTimeoutSeconds = default,
    JsonElement AutosaveIntervalSeconds = default)
{
    /// <summary>The allocation token is a secret; keep it out of logs and exception messages.</summary>
    public override string ToString() => $"config of allocation {AllocationId} for organization {OrganizationId}";
}
