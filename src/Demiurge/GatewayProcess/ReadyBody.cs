namespace Demiurge.GatewayProcess;

/// <summary>Body of <c>POST /gateway/ready</c>.</summary>
internal sealed record ReadyBody(string GatewayId);
