using Demiurge.Events;

namespace Demiurge.ApiKeys;

/// <summary>API keys (migration 0009). Keys are stored by the SHA-256 of their secret only.</summary>
internal interface IApiKeyStore
{
    Task ApiKeyCreateAsync(ApiKey key, string tokenHash, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>The key whose secret hashes to <paramref name="tokenHash"/>, expired and revoked ones included, with its creator.</summary>
    Task<ApiKeyHolder?> ApiKeyFindByTokenHashAsync(string tokenHash, CancellationToken cancellationToken);

    Task<ApiKey?> ApiKeyGetAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>The user's keys, oldest first; every user's when <paramref name="userId"/> is null.</summary>
    Task<IReadOnlyList<ApiKey>> ApiKeyListAsync(string? userId, CancellationToken cancellationToken);

    /// <summary>Revokes the key at <paramref name="at"/>; false, with no event, when it does not exist or was already revoked.</summary>
    Task<bool> ApiKeyRevokeAsync(string keyId, DateTimeOffset at, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>
    /// Records a use at <paramref name="now"/> unless one at or after <paramref name="unlessUsedSince"/>
    /// is recorded already, so that control planes together write at most once per interval. False when skipped.
    /// </summary>
    Task<bool> ApiKeyTouchAsync(string keyId, DateTimeOffset now, DateTimeOffset unlessUsedSince, CancellationToken cancellationToken);
}
