using System.Data.Common;
using Demiurge.ApiKeys;
using Demiurge.Events;
using Demiurge.Identity;

namespace Demiurge.Store;

/// <summary>API keys (migration 0009), in portable SQL.</summary>
internal sealed class SqlApiKeyStore(Database database) : IApiKeyStore
{
    private const string SelectApiKey = "SELECT k.key_id, k.user_id, k.name, k.scopes, k.organization_id, k.created_at, k.expires_at, k.last_used_at, k.revoked_at";

    public Task ApiKeyCreateAsync(ApiKey key, string tokenHash, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return database.WriteAsync(async session =>
        {
            await session.ExecuteAsync("""
                INSERT INTO api_keys (key_id, user_id, name, token_hash, scopes, organization_id, created_at, expires_at)
                VALUES (@id, @user, @name, @hash, @scopes, @org, @created, @expires)
                """, cancellationToken,
                ("@id", key.KeyId), ("@user", key.UserId), ("@name", key.Name), ("@hash", tokenHash), ("@scopes", string.Join(' ', key.Scopes)),
                ("@org", key.OrganizationId), ("@created", key.CreatedAt.ToUnixTimeMilliseconds()), ("@expires", key.ExpiresAt.ToUnixTimeMilliseconds()));
            return true;
        }, auditEvent, cancellationToken);
    }

    public Task<ApiKeyHolder?> ApiKeyFindByTokenHashAsync(string tokenHash, CancellationToken cancellationToken) =>
        database.SingleAsync($"""
            {SelectApiKey}, u.username, u.is_admin, u.created_at
            FROM api_keys k JOIN users u ON u.user_id = k.user_id
            WHERE k.token_hash = @hash
            """,
            r => new ApiKeyHolder(ReadApiKey(r), new User(r.GetString(1), r.GetString(9), r.GetBoolean(10), r.GetTime(11))),
            cancellationToken, ("@hash", tokenHash));

    public Task<ApiKey?> ApiKeyGetAsync(string keyId, CancellationToken cancellationToken) =>
        database.SingleAsync($"{SelectApiKey} FROM api_keys k WHERE k.key_id = @id", ReadApiKey, cancellationToken, ("@id", keyId));

    public Task<IReadOnlyList<ApiKey>> ApiKeyListAsync(string? userId, CancellationToken cancellationToken) =>
        userId is null
            ? database.ListAsync($"{SelectApiKey} FROM api_keys k ORDER BY k.created_at, k.key_id", ReadApiKey, cancellationToken)
            : database.ListAsync($"{SelectApiKey} FROM api_keys k WHERE k.user_id = @user ORDER BY k.created_at, k.key_id", ReadApiKey, cancellationToken, ("@user", userId));

    public Task<bool> ApiKeyRevokeAsync(string keyId, DateTimeOffset at, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        database.WriteAsync(async session => await session.ExecuteAsync("UPDATE api_keys SET revoked_at = @at WHERE key_id = @id AND revoked_at IS NULL",
            cancellationToken, ("@at", at.ToUnixTimeMilliseconds()), ("@id", keyId)) == 1, auditEvent, cancellationToken);

    public Task<bool> ApiKeyTouchAsync(string keyId, DateTimeOffset now, DateTimeOffset unlessUsedSince, CancellationToken cancellationToken) =>
        database.WriteAsync(async session => await session.ExecuteAsync(
            "UPDATE api_keys SET last_used_at = @now WHERE key_id = @id AND (last_used_at IS NULL OR last_used_at < @since)",
            cancellationToken, ("@now", now.ToUnixTimeMilliseconds()), ("@id", keyId), ("@since", unlessUsedSince.ToUnixTimeMilliseconds())) == 1,
            null, cancellationToken);

    private static ApiKey ReadApiKey(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3).Split(' ', StringSplitOptions.RemoveEmptyEntries), r.GetNullableString(4),
        r.GetTime(5), r.GetTime(6), r.GetNullableTime(7), r.GetNullableTime(8));
}
