using Demiurge.Events;

namespace Demiurge.Security;

/// <summary>The key ring and the secrets it seals (migration 0006).</summary>
internal interface IKeyRingStore
{
    Task<IReadOnlyList<RingKey>> KeyListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Adds <paramref name="key"/> as its purpose's active key, first moving the active one (if
    /// any) to retiring when <paramref name="retireActive"/>; false, with nothing written, when
    /// another active key exists (another control plane created or rotated it first).
    /// </summary>
    Task<bool> KeyAddAsync(RingKey key, bool retireActive, AuditEvent? auditEvent, CancellationToken cancellationToken);

    /// <summary>Deletes a retiring key that seals no secret any more; false otherwise.</summary>
    Task<bool> KeyRemoveRetiredAsync(string keyId, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Secrets per key id, for the ring's status.</summary>
    Task<IReadOnlyDictionary<string, long>> SecretCountByKeyAsync(CancellationToken cancellationToken);

    /// <summary>False when the scope already has a secret of that name.</summary>
    Task<bool> SecretCreateAsync(StoredSecret secret, AuditEvent auditEvent, CancellationToken cancellationToken);

    Task<StoredSecret?> SecretGetAsync(string secretId, CancellationToken cancellationToken);

    /// <summary>The scope's secrets (the platform's own when <paramref name="organizationId"/> is null), by name.</summary>
    Task<IReadOnlyList<StoredSecret>> SecretListAsync(string? organizationId, CancellationToken cancellationToken);

    Task<bool> SecretDeleteAsync(string secretId, AuditEvent auditEvent, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> secrets still sealed by <paramref name="keyId"/>.</summary>
    Task<IReadOnlyList<StoredSecret>> SecretListByKeyAsync(string keyId, int limit, CancellationToken cancellationToken);

    /// <summary>Replaces a secret's ciphertext and key (not its value, nor updated_at), only if it is still sealed by <paramref name="fromKeyId"/>; one transaction per secret.</summary>
    Task<bool> SecretResealAsync(string secretId, string fromKeyId, string toKeyId, string ciphertext, CancellationToken cancellationToken);
}
