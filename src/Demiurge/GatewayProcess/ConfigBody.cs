namespace Demiurge.GatewayProcess;

/// <summary>Body of <c>POST /gateway/config</c>.</summary>
internal sealed record ConfigBody(string HandshakeToken);
