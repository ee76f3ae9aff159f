namespace Demiurge.Protocol;

/// <summary>The control plane's answer to <see cref="GatewayPaths.Ready"/>.</summary>
internal sealed record GatewayReadyResponse(string GatewayId, string State);
