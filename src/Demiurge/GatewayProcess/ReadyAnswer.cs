namespace Demiurge.GatewayProcess;

/// <summary>The control plane's answer to <c>POST /gateway/ready</c>.</summary>
internal sealed record ReadyAnswer(string GatewayId, string State);
