namespace Demiurge.GatewayProcess.OAuth;

/// <summary>
/// An authorization code, known only by its SHA-256. A redeemed code is kept, marked
/// <see cref="Used"/>, until it expires: presenting it again revokes every token of its
/// <see cref="GrantId"/> (RFC 6749, section 4.1.2).
/// </summary>
internal sealed record AuthorizationCode(
    string CodeHash,
    string ClientId,
    string UserId,
    string GrantId,
    string RedirectUri,
    string CodeChallenge,
    DateTimeOffset ExpiresAt,
    bool Used = false);
