using Demiurge.Protocol;

namespace Demiurge.Runtime;

/// <summary>Everything a driver needs to start one gateway worker (<see cref="Spec"/>).</summary>
/// <remarks>
/// <see cref="ControlPlaneKeys"/> are the key ring's public signing keys (<see cref="WorkerEnvironment.ControlPlaneKeys"/>): the worker trusts only calls they verify.
/// <see cref="LogFormat"/> is the console format the worker logs in (the control plane passes its own); null leaves it to the worker.
/// <see cref="RoomLimits"/> are the limits of its rooms; null leaves the worker's defaults.
/// </remarks>
internal sealed record GatewayLaunch(
    string GatewayId, int Port, string Token, string ControlPlaneKeys, Uri ControlPlane, string InactivityTimeout, string AutosaveInterval, string OAuthCleanupInterval,
    string ContainerPorts, string? LogFormat = null, WorkerRoomLimits? RoomLimits = null)
{
    /// <summary>The worker's base address; workers listen on loopback only.</summary>
    public Uri Address => new($"http://127.0.0.1:{Port}");

    /// <summary>The worker as an instance: its id is the gateway's, its health the worker's ping.</summary>
    public InstanceSpec Spec => new(GatewayId, "gateway", Arguments, Environment, Address, GatewayPaths.Ping);

    /// <summary>The <c>demiurge gateway</c> arguments. The token travels in the environment, never on argv.</summary>
    public IReadOnlyList<string> Arguments =>
    [
        "gateway",
        WorkerFlags.ControlPlane, ControlPlane.ToString(),
        WorkerFlags.Port, Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        WorkerFlags.GatewayId, GatewayId,
        WorkerFlags.InactivityTimeout, InactivityTimeout,
        WorkerFlags.AutosaveInterval, AutosaveInterval,
        WorkerFlags.OAuthCleanupInterval, OAuthCleanupInterval,
        WorkerFlags.ContainerPorts, ContainerPorts,
        .. LogFormat is null ? (string[])[] : [WorkerFlags.LogFormat, LogFormat],
        .. RoomLimits?.Arguments ?? [],
    ];

    /// <summary>The worker's environment: its token, and the keys of the control planes it obeys.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        [WorkerEnvironment.GatewayToken] = Token,
        [WorkerEnvironment.ControlPlaneKeys] = ControlPlaneKeys,
    };
}
