using System.Text.Json.Serialization;

namespace Demiurge.Protocol;

/// <summary>The worker's answer to <see cref="GatewayPaths.Ping"/> (and to <see cref="GatewayPaths.Release"/>); <see cref="ControlPlanes"/> only for the control plane's own pings.</summary>
internal sealed record PingResponse(string GatewayId, GatewayWorkerState State, string? OrganizationId, string? AllocationId)
{
    /// <summary>The revision of the organization's settings held (<see cref="GatewayPaths.CollabConfig"/>); the leader re-sends a newer one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? SettingsRevision { get; init; }

    /// <summary>The control planes the gateway calls, in the order it tries them (<see cref="GatewayHeaders.ControlPlanes"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? ControlPlanes { get; init; }
}
