using System.Text.Json.Serialization;

namespace Demiurge.Protocol;

/// <summary>
/// The control plane's answer to <see cref="GatewayPaths.Config"/>: the allocation, and the
/// organization's settings (the fields of <see cref="OrganizationConfig"/>, flat on the wire).
/// </summary>
internal sealed record GatewayConfigResponse : OrganizationConfig
{
    /// <summary>For the deserializer.</summary>
    public GatewayConfigResponse()
    {
    }

    public GatewayConfigResponse(OrganizationConfig settings)
        : base(settings)
    {
    }

    public required string AllocationId { get; init; }

    public required string GatewayId { get; init; }

    /// <summary>The organization's name, <c>org-{organization_id}.{domain}</c>: how a worker learns the domain.</summary>
    public required string GatewayHostname { get; init; }

    /// <summary>The secret for pull, push and stop; keep it out of logs.</summary>
    public required string AllocationToken { get; init; }

    /// <summary>
    /// Seconds without user activity before release; null never releases (the organization
    /// turned automatic release off). The control plane always sends it; absent, the worker's
    /// <see cref="WorkerFlags.InactivityTimeout"/> holds (<see cref="HasInactivityTimeout"/>).
    /// </summary>
    public double? InactivityTimeoutSeconds
    {
        get;
        init
        {
            field = value;
            HasInactivityTimeout = true;
        }
    }

    /// <summary>Whether the answer had <see cref="InactivityTimeoutSeconds"/> at all, null included: only its absence leaves the worker's flag.</summary>
    [JsonIgnore]
    public bool HasInactivityTimeout { get; private init; }

    /// <summary>How often the worker pushes unsaved data; absent or null, the worker's <see cref="WorkerFlags.AutosaveInterval"/> holds.</summary>
    public double? AutosaveIntervalSeconds { get; init; }

    /// <summary>The allocation token is a secret; keep it out of logs and exception messages.</summary>
    public override string ToString() => $"config of allocation {AllocationId} for organization {OrganizationId}";
}
