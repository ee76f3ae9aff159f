namespace Demiurge.GatewayProcess.OAuth;

/// <summary>
/// A public OAuth client (no secret: PKCE protects its codes), one per user container. A
/// <c>redirect_uri</c> must match one of <see cref="RedirectUris"/> exactly.
/// </summary>
internal sealed record OAuthClient(string ClientId, string ContainerId, IReadOnlyList<string> RedirectUris, string CreatedBy, DateTimeOffset CreatedAt);
