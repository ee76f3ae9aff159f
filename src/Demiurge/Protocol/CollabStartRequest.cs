namespace Demiurge.Protocol;

/// <summary>Body of <see cref="GatewayPaths.Start"/>: the single-use token the worker redeems at <see cref="GatewayPaths.Config"/>.</summary>
internal sealed record CollabStartRequest(string? HandshakeToken)
{
    /// <summary>Longest handshake token a worker accepts; the control plane's tokens are far shorter.</summary>
    public const int MaxHandshakeTokenLength = 512;

    /// <summary>The handshake token is a secret; keep it out of logs.</summary>
    public override string ToString() => "handshake";
}
