namespace Demiurge.ApiKeys;

/// <summary>
/// A named key that acts as <see cref="UserId"/> with only <see cref="Scopes"/> and, when
/// <see cref="OrganizationId"/> is set, only in that organization, until it expires or is revoked.
/// </summary>
internal sealed record ApiKey(
    string KeyId,
    string UserId,
    string Name,
    IReadOnlyList<string> Scopes,
    string? OrganizationId,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt);
