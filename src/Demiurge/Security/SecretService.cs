using System.Text;
using Demiurge.Events;

namespace Demiurge.Security;

/// <summary>
/// Secrets at rest (docs/security.md): sealed with the key ring's active data key, bound to their
/// id, and never returned in clear by the API. Features that need the value (app variables marked
/// secret, build secrets, Git credentials, webhook secrets, private keys) call <see cref="RevealAsync"/>.
/// </summary>
internal sealed class SecretService(IKeyRingStore store, KeyRing ring, TimeProvider time)
{
    /// <summary>Largest secret value, in UTF-8 bytes.</summary>
    public const int MaxValueBytes = 64 * 1024;

    /// <summary>Seals and stores a new secret; null when its scope has one of that name already.</summary>
    public async Task<StoredSecret?> CreateAsync(string? organizationId, string name, string value, string? actorUserId, CancellationToken cancellationToken)
    {
        var secretId = Ids.New();
        var (keyId, ciphertext) = ring.Seal(secretId, Encoding.UTF8.GetBytes(value));
        var now = time.GetUtcNowMilliseconds();
        var secret = new StoredSecret(secretId, organizationId, name, keyId, ciphertext, now, now);
        var auditEvent = new AuditEvent(Ids.New(), SecurityEventKinds.SecretCreated, actorUserId, organizationId, secretId, name, now);
        return await store.SecretCreateAsync(secret, auditEvent, cancellationToken) ? secret : null;
    }

    /// <summary>The secret's value, for the platform's own use; null when there is no such secret.</summary>
    public async Task<string?> RevealAsync(string secretId, CancellationToken cancellationToken)
    {
        if (await store.SecretGetAsync(secretId, cancellationToken) is not { } secret)
        {
            return null;
        }

        return Encoding.UTF8.GetString(await ring.OpenAsync(secret.KeyId, secret.SecretId, secret.Ciphertext, cancellationToken));
    }
}
