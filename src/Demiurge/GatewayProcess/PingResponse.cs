namespace Demiurge.GatewayProcess;

/// <summary>Answer of <c>GET /collab/ping</c>; <see cref="ControlPlanes"/> only for the control plane's own pings.</summary>
internal sealed record PingResponse(string GatewayId, GatewayWorkerState State, string? OrganizationId, string? AllocationId)
{
    /// <summary>The control planes the gateway calls, in the order it tries them.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? ControlPlanes { get; init; }
}
