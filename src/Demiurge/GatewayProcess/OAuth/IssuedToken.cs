namespace Demiurge.GatewayProcess.OAuth;

/// <summary>
/// An access or refresh token, known only by its SHA-256. <see cref="GrantId"/> ties together
/// every token that descends from one authorization code, so they can be revoked together.
/// </summary>
internal sealed record IssuedToken(string TokenHash, string ClientId, string UserId, string GrantId, DateTimeOffset ExpiresAt, bool Used = false);
