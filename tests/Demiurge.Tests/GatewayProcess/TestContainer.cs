namespace Demiurge.Tests.GatewayProcess;

/// <summary>A container created through <c>POST /containers</c>: its token and OAuth client, and the redirect URI it registered first.</summary>
public sealed record TestContainer(string ContainerId, string Token, string ClientId, string RedirectUri);
