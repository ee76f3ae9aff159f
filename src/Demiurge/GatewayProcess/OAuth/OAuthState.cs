namespace Demiurge.GatewayProcess.OAuth;

/// <summary>The OAuth provider's clients, and its codes and tokens by hash with their expiry.</summary>
internal sealed record OAuthState(
    IReadOnlyList<OAuthClient>? Clients = null,
    IReadOnlyList<AuthorizationCode>? Codes = null,
    IReadOnlyList<IssuedToken>? AccessTokens = null,
    IReadOnlyList<IssuedToken>? RefreshTokens = null);
