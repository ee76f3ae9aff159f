namespace Demiurge.Protocol;

/// <summary>
/// The paths of the control-plane ↔ worker protocol (docs/gateway-protocol.md), for both sides
/// and the tests' fakes: a rename breaks the build, not the wire.
/// </summary>
internal static class GatewayPaths
{
    /// <summary>Worker → control plane: idle and ready to be allocated (gateway token).</summary>
    public const string Ready = "/gateway/ready";

    /// <summary>Worker → control plane: redeem a handshake token for the organization's config.</summary>
    public const string Config = "/gateway/config";

    /// <summary>Worker → control plane: the organization's saved data (allocation token).</summary>
    public const string DataPull = "/gateway/data/pull";

    /// <summary>Worker → control plane: save the organization's data (allocation token).</summary>
    public const string DataPush = "/gateway/data/push";

    /// <summary>Worker → control plane: done with the organization (allocation token).</summary>
    public const string Stop = "/gateway/stop";

    /// <summary>Worker → control plane: who a user token belongs to.</summary>
    public const string Me = "/users/me";

    /// <summary>Control plane → worker: the handshake (signed).</summary>
    public const string Start = "/collab/start";

    /// <summary>Control plane → worker: drain and release now (signed).</summary>
    public const string Release = "/collab/release";

    /// <summary>Control plane → worker: the organization's settings changed (signed).</summary>
    public const string CollabConfig = "/collab/config";

    /// <summary>Control plane → worker: health, and with the leader's signed pings the control planes to call.</summary>
    public const string Ping = "/collab/ping";

    /// <summary>Operators → worker: why the gateway is still alive.</summary>
    public const string Activity = "/gateway/activity";
}
