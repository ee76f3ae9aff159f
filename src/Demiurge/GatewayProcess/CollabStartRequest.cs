namespace Demiurge.GatewayProcess;

/// <summary>Body of <c>POST /collab/start</c>.</summary>
internal sealed record CollabStartRequest
{
    public string? HandshakeToken { get; init; }
}
