using System.Data.Common;
using Demiurge.Events;
using Demiurge.Security;

namespace Demiurge.Store;

/// <summary>The key ring and the secrets (migration 0006).</summary>
internal abstract partial class SqlStore : IKeyRingStore
{
    private const string SelectSecret = "SELECT secret_id, organization_id, name, key_id, ciphertext, created_at, updated_at FROM secrets";

    public Task<IReadOnlyList<RingKey>> KeyListAsync(CancellationToken cancellationToken) =>
        ListAsync("SELECT key_id, purpose, state, wrapped, public_key, created_at FROM key_ring ORDER BY created_at, key_id",
            r => new RingKey(r.GetString(0), Enum.Parse<KeyPurpose>(r.GetString(1), ignoreCase: true), Enum.Parse<KeyState>(r.GetString(2), ignoreCase: true),
                r.GetString(3), NullableString(r, 4) is { } publicKey ? Convert.FromBase64String(publicKey) : null, Time(r.GetInt64(5))),
            cancellationToken);

    public async Task<bool> KeyAddAsync(RingKey key, bool retireActive, AuditEvent? auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            await WriteAsync(async (connection, transaction) =>
            {
                var purpose = Format(key.Purpose);
                if (retireActive)
                {
                    await ExecuteAsync(connection, transaction, "UPDATE key_ring SET state = 'retiring' WHERE purpose = @purpose AND state = 'active'",
                        cancellationToken, ("@purpose", purpose));
                }

                await ExecuteAsync(connection, transaction, """
                    INSERT INTO key_ring (key_id, purpose, state, wrapped, public_key, created_at)
                    VALUES (@id, @purpose, 'active', @wrapped, @public, @at)
                    """, cancellationToken, ("@id", key.KeyId), ("@purpose", purpose), ("@wrapped", key.Wrapped),
                    ("@public", key.PublicKey is null ? null : Convert.ToBase64String(key.PublicKey)), ("@at", Millis(key.CreatedAt)));
                return true;
            }, auditEvent, cancellationToken);
            return true;
        }
        catch (DbException exception) when (IsUniqueViolation(exception))
        {
            return false;
        }
    }

    public async Task<bool> KeyRemoveRetiredAsync(string keyId, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        var removed = false;
        await WriteAsync(async (connection, transaction) =>
        {
            removed = await ExecuteAsync(connection, transaction, """
                DELETE FROM key_ring WHERE key_id = @id AND state = 'retiring'
                AND NOT EXISTS (SELECT 1 FROM secrets WHERE key_id = @id)
                """, cancellationToken, ("@id", keyId)) == 1;
            return removed;
        }, auditEvent, cancellationToken);
        return removed;
    }

    public async Task<IReadOnlyDictionary<string, long>> SecretCountByKeyAsync(CancellationToken cancellationToken) =>
        (await ListAsync("SELECT key_id, COUNT(*) FROM secrets GROUP BY key_id", r => (r.GetString(0), r.GetInt64(1)), cancellationToken))
            .ToDictionary(c => c.Item1, c => c.Item2);

    public Task<bool> SecretCreateAsync(StoredSecret secret, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return TryWriteAsync(async (connection, transaction) =>
        {
            await ExecuteAsync(connection, transaction, """
                INSERT INTO secrets (secret_id, organization_id, name, key_id, ciphertext, created_at, updated_at)
                VALUES (@id, @org, @name, @key, @ciphertext, @created, @updated)
                """, cancellationToken, ("@id", secret.SecretId), ("@org", secret.OrganizationId), ("@name", secret.Name), ("@key", secret.KeyId),
                ("@ciphertext", secret.Ciphertext), ("@created", Millis(secret.CreatedAt)), ("@updated", Millis(secret.UpdatedAt)));
        }, auditEvent, cancellationToken);
    }

    public Task<StoredSecret?> SecretGetAsync(string secretId, CancellationToken cancellationToken) =>
        SingleAsync($"{SelectSecret} WHERE secret_id = @id", ReadSecret, cancellationToken, ("@id", secretId));

    public Task<IReadOnlyList<StoredSecret>> SecretListAsync(string? organizationId, CancellationToken cancellationToken) =>
        organizationId is null
            ? ListAsync($"{SelectSecret} WHERE organization_id IS NULL ORDER BY name", ReadSecret, cancellationToken)
            : ListAsync($"{SelectSecret} WHERE organization_id = @org ORDER BY name", ReadSecret, cancellationToken, ("@org", organizationId));

    public async Task<bool> SecretDeleteAsync(string secretId, AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        var deleted = false;
        await WriteAsync(async (connection, transaction) =>
        {
            deleted = await ExecuteAsync(connection, transaction, "DELETE FROM secrets WHERE secret_id = @id", cancellationToken, ("@id", secretId)) == 1;
            return deleted;
        }, auditEvent, cancellationToken);
        return deleted;
    }

    public Task<IReadOnlyList<StoredSecret>> SecretListByKeyAsync(string keyId, int limit, CancellationToken cancellationToken) =>
        ListAsync($"{SelectSecret} WHERE key_id = @key ORDER BY secret_id LIMIT @limit", ReadSecret, cancellationToken, ("@key", keyId), ("@limit", limit));

    public async Task<bool> SecretResealAsync(string secretId, string fromKeyId, string toKeyId, string ciphertext, CancellationToken cancellationToken)
    {
        var resealed = false;
        await WriteAsync(async (connection, transaction) =>
        {
            resealed = await ExecuteAsync(connection, transaction,
                "UPDATE secrets SET key_id = @to, ciphertext = @ciphertext WHERE secret_id = @id AND key_id = @from",
                cancellationToken, ("@to", toKeyId), ("@ciphertext", ciphertext), ("@id", secretId), ("@from", fromKeyId)) == 1;
            return false;
        }, null, cancellationToken);
        return resealed;
    }

    public Task<IReadOnlyList<(string Name, string Sealed)>> DataProtectionKeyListAsync(CancellationToken cancellationToken) =>
        ListAsync("SELECT name, sealed FROM data_protection_keys ORDER BY created_at, name", r => (r.GetString(0), r.GetString(1)), cancellationToken);

    public Task DataProtectionKeyAddAsync(string name, string sealedXml, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await ExecuteAsync(connection, transaction,
                "INSERT INTO data_protection_keys (name, sealed, created_at) VALUES (@name, @sealed, @at) ON CONFLICT (name) DO NOTHING",
                cancellationToken, ("@name", name), ("@sealed", sealedXml), ("@at", Millis(now)));
            return false;
        }, null, cancellationToken);

    private static StoredSecret ReadSecret(DbDataReader r) =>
        new(r.GetString(0), NullableString(r, 1), r.GetString(2), r.GetString(3), r.GetString(4), Time(r.GetInt64(5)), Time(r.GetInt64(6)));
}
