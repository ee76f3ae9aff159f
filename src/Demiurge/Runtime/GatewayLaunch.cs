namespace Demiurge.Runtime;

/// <summary>Everything a driver needs to start one gateway worker (<see cref="Spec"/>).</summary>
/// <remarks><see cref="ControlPlaneKeys"/> are the key ring's public signing keys (<see cref="Security.ControlPlaneKeys.Variable"/>): the worker trusts only calls they verify.</remarks>
internal sealed record GatewayLaunch(
    string GatewayId, int Port, string Token, string ControlPlaneKeys, Uri ControlPlane, string InactivityTimeout, string AutosaveInterval, string OAuthCleanupInterval,
    string ContainerPorts)
{
    /// <summary>The worker's base address; workers listen on loopback only.</summary>
    public Uri Address => new($"http://127.0.0.1:{Port}");

    /// <summary>The worker as an instance: its id is the gateway's, its health the worker's ping.</summary>
    public InstanceSpec Spec => new(GatewayId, "gateway", Arguments, Environment, Address, "/collab/ping");

    /// <summary>The <c>demiurge gateway</c> arguments. The token travels in the environment, never on argv.</summary>
    public IReadOnlyList<string> Arguments =>
    [
        "gateway",
        "--control-plane", ControlPlane.ToString(),
        "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--gateway-id", GatewayId,
        "--inactivity-timeout", InactivityTimeout,
        "--autosave-interval", AutosaveInterval,
        "--oauth-cleanup-interval", OAuthCleanupInterval,
        "--container-ports", ContainerPorts,
    ];

    /// <summary>The worker's environment: its token, and the keys of the control planes it obeys.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        [GatewayProcess.GatewayProcessOptions.TokenVariable] = Token,
        [Security.ControlPlaneKeys.Variable] = ControlPlaneKeys,
    };
}
