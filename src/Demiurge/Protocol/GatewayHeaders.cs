namespace Demiurge.Protocol;

/// <summary>The headers of the control-plane ↔ worker protocol.</summary>
internal static class GatewayHeaders
{
    /// <summary>
    /// The control plane's signature of a call to a worker:
    /// <c>key={key id},ts={unix ms},sig={base64url ECDSA P-256 SHA-256}</c> (<see cref="ControlPlaneSignature"/>).
    /// </summary>
    public const string Signature = "Demiurge-Signature";

    /// <summary>The control planes a worker may call, in order, sent with the leader's pings: comma-separated URLs.</summary>
    public const string ControlPlanes = "Demiurge-Control-Planes";
}
