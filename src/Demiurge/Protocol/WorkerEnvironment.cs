namespace Demiurge.Protocol;

/// <summary>
/// The environment variables a worker is started with: secrets and keys travel here, never on
/// argv, which every user of the machine can read.
/// </summary>
internal static class WorkerEnvironment
{
    /// <summary>The gateway token, which authenticates <see cref="GatewayPaths.Ready"/>.</summary>
    public const string GatewayToken = "DEMIURGE_GATEWAY_TOKEN";

    /// <summary>
    /// The public halves of the key ring's signing keys (<see cref="Security.ControlPlaneKeys"/>):
    /// the worker obeys only calls signed by one of them.
    /// </summary>
    public const string ControlPlaneKeys = "DEMIURGE_CONTROL_PLANE_KEYS";
}
