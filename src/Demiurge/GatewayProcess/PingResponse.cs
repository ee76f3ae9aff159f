namespace Demiurge.GatewayProcess;

/// <summary>Answer of <c>GET /collab/ping</c>; <see cref="ControlPlanes"/> only for the control plane's own pings.</summary>
internal sealed record PingResponse(string GatewayId, GatewayWorkerState State, string? OrganizationId, string? AllocationId)
{
    /// <summary>The revision of the organization's settings held (<c>PUT /collab/config</c>); the leader re-sends a newer one.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? SettingsRevision { get; init; }

    /// <summary>The control planes the gateway calls, in the order it tries them.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? ControlPlanes { get; init; }
}
