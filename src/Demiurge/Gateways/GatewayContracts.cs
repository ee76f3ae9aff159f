using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace Demiurge.Gateways;

// Request contracts are public: the .NET 10 validation generator only sees public types.

public sealed record StartGatewayRequest
{
    [Required(ErrorMessage = "The organization_id is required.")]
    public string? OrganizationId { get; init; }
}

public sealed record GatewayReadyRequest
{
    [Required(ErrorMessage = "The gateway_id is required.")]
    public string? GatewayId { get; init; }
}

public sealed record GatewayConfigRequest
{
    [Required(ErrorMessage = "The handshake_token is required.")]
    public string? HandshakeToken { get; init; }
}

public sealed record OrganizationRequest
{
    [Required(ErrorMessage = "The organization_id is required.")]
    public string? OrganizationId { get; init; }
}

public sealed record DataPushRequest
{
    /// <summary>
    /// Largest push body the control plane accepts (413 above). A worker splits what it has
    /// unsaved into pushes under it.
    /// </summary>
    public const long MaxBytes = 16 * 1024 * 1024;

    [Required(ErrorMessage = "The organization_id is required.")]
    public string? OrganizationId { get; init; }

    /// <summary>The version this writer last pulled or pushed.</summary>
    [Required(ErrorMessage = "The version is required."), Range(0, long.MaxValue, ErrorMessage = "The version must not be negative.")]
    public long? Version { get; init; }

    [Required(ErrorMessage = "The data is required.")]
    public OrganizationDataPayload? Data { get; init; }
}

public sealed record OrganizationDataPayload
{
    /// <summary>Project id → base64 document. Projects not listed are kept as they are.</summary>
    public Dictionary<string, string>? YjsState { get; init; }

    /// <summary>The gateway managers' state (permissions, OAuth, container tokens); replaces the stored one when present.</summary>
    public JsonElement? GatewayState { get; init; }
}

internal sealed record StartGatewayResponse(string GatewayId, string GatewayHostname, string AllocationId);

internal sealed record GatewayReadyResponse(string GatewayId, string State);

internal sealed record GatewayConfigResponse(
    string AllocationId,
    string OrganizationId,
    string GatewayId,
    string GatewayHostname,
    string AllocationToken,
    string OrganizationName,
    IReadOnlyList<GatewayMember> Members,
    IReadOnlyList<GatewayProject> Projects,
    long SettingsRevision,
    double? InactivityTimeoutSeconds,
    double AutosaveIntervalSeconds,
    long StorageQuotaBytes);

internal sealed record GatewayMember(string UserId, string Username, string Role);

/// <summary>A project of the organization: only these have documents (and rooms) on its gateway.</summary>
internal sealed record GatewayProject(string ProjectId, string Name);

internal sealed record DataPullResponse(string OrganizationId, long Version, DateTimeOffset? StoredAt, DataPullPayload? Data);

internal sealed record DataPullPayload(IReadOnlyDictionary<string, string> YjsState, JsonElement? GatewayState);

internal sealed record DataPushResponse(long Version, DateTimeOffset StoredAt, long SizeBytes);

internal sealed record GatewayResponse(
    string GatewayId,
    string State,
    string? OrganizationId,
    string? AllocationId,
    string Runtime,
    string Address,
    int Port,
    int? Pid,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ReadyAt);

internal sealed record PoolStatsResponse(int Total, int Live, IReadOnlyDictionary<string, int> ByState, int Allocations);
