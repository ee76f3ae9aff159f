using System.Data.Common;
using Demiurge.Events;
using Demiurge.Security;

namespace Demiurge.Store;

/// <summary>The key ring and the secrets it seals (migration 0006), in portable SQL.</summary>
internal sealed class SqlKeyRingStore(Database database) : IKeyRingStore
{
    private const string SelectSecret = "SELECT secret_id, organization_id, name, key_id, ciphertext, created_at, updated_at FROM secrets";

    public Task<IReadOnlyList<RingKey>> KeyListAsync(CancellationToken cancellationToken) =>
        database.ListAsync("SELECT key_id, purpose, state, wrapped, public_key, created_at FROM key_ring ORDER BY created_at, key_id",
            r => new RingKey(r.GetString(0), EnumText.Parse<KeyPurpose>(r.GetString(1)), EnumText.Parse<KeyState>(r.GetString(2)),
                r.GetString(3), r.GetNullableString(4) is { } publicKey ? Convert.FromBase64String(publicKey) : null, r.GetTime(5)),
            cancellationToken);

    public Task<bool> KeyAddAsync(RingKey key, bool retireActive, AuditEvent? auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var purpose = key.Purpose.ToText();
        return database.TryWriteAsync(async session =>
        {
            if (retireActive)
            {
                await session.ExecuteAsync("UPDATE key_ring SET state = 'retiring' WHERE purpose = @purpose AND state = 'active'",
                    cancellationToken, ("@purpose", purpose));
            }

            await session.ExecuteAsync("""
                INSERT INTO key_ring (key_id, purpose, state, wrapped, public_key, created_at)
                VALUES (@id, @purpose, 'active', @wrapped, @public, @at)
                """, cancellationToken, ("@id", key.KeyId), ("@purpose", purpose), ("@wrapped", key.Wrapped),
                ("@public", key.PublicKey is null ? null : Convert.ToBase64String(key.PublicKey)), ("@at", key.CreatedAt.ToUnixTimeMilliseconds()));
        }, auditEvent, cancellationToken);
    }

    public Task<bool> KeyRemoveRetiredAsync(string keyId, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        database.WriteAsync(async session => await session.ExecuteAsync("""
            DELETE FROM key_ring WHERE key_id = @id AND state = 'retiring'
            AND NOT EXISTS (SELECT 1 FROM secrets WHERE key_id = @id)
            """, cancellationToken, ("@id", keyId)) == 1, auditEvent, cancellationToken);

    public async Task<IReadOnlyDictionary<string, long>> SecretCountByKeyAsync(CancellationToken cancellationToken) =>
        (await database.ListAsync("SELECT key_id, COUNT(*) FROM secrets GROUP BY key_id", r => (r.GetString(0), r.GetInt64(1)), cancellationToken))
            .ToDictionary(c => c.Item1, c => c.Item2);

    public Task<bool> SecretCreateAsync(StoredSecret secret, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return database.TryWriteAsync(session => session.ExecuteAsync("""
            INSERT INTO secrets (secret_id, organization_id, name, key_id, ciphertext, created_at, updated_at)
            VALUES (@id, @org, @name, @key, @ciphertext, @created, @updated)
            """, cancellationToken, ("@id", secret.SecretId), ("@org", secret.OrganizationId), ("@name", secret.Name), ("@key", secret.KeyId),
            ("@ciphertext", secret.Ciphertext), ("@created", secret.CreatedAt.ToUnixTimeMilliseconds()), ("@updated", secret.UpdatedAt.ToUnixTimeMilliseconds())),
            auditEvent, cancellationToken);
    }

    public Task<StoredSecret?> SecretGetAsync(string secretId, CancellationToken cancellationToken) =>
        database.SingleAsync($"{SelectSecret} WHERE secret_id = @id", ReadSecret, cancellationToken, ("@id", secretId));

    public Task<IReadOnlyList<StoredSecret>> SecretListAsync(string? organizationId, CancellationToken cancellationToken) =>
        organizationId is null
            ? database.ListAsync($"{SelectSecret} WHERE organization_id IS NULL ORDER BY name", ReadSecret, cancellationToken)
            : database.ListAsync($"{SelectSecret} WHERE organization_id = @org ORDER BY name", ReadSecret, cancellationToken, ("@org", organizationId));

    public Task<bool> SecretDeleteAsync(string secretId, AuditEvent auditEvent, CancellationToken cancellationToken) =>
        database.WriteAsync(async session => await session.ExecuteAsync("DELETE FROM secrets WHERE secret_id = @id",
            cancellationToken, ("@id", secretId)) == 1, auditEvent, cancellationToken);

    public Task<IReadOnlyList<StoredSecret>> SecretListByKeyAsync(string keyId, int limit, CancellationToken cancellationToken) =>
        database.ListAsync($"{SelectSecret} WHERE key_id = @key ORDER BY secret_id LIMIT @limit", ReadSecret, cancellationToken, ("@key", keyId), ("@limit", limit));

    public Task<bool> SecretResealAsync(string secretId, string fromKeyId, string toKeyId, string ciphertext, CancellationToken cancellationToken) =>
        database.WriteAsync(async session => await session.ExecuteAsync(
            "UPDATE secrets SET key_id = @to, ciphertext = @ciphertext WHERE secret_id = @id AND key_id = @from",
            cancellationToken, ("@to", toKeyId), ("@ciphertext", ciphertext), ("@id", secretId), ("@from", fromKeyId)) == 1, null, cancellationToken);

    private static StoredSecret ReadSecret(DbDataReader r) =>
        new(r.GetString(0), r.GetNullableString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetTime(5), r.GetTime(6));
}
