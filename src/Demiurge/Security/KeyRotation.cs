using Demiurge.Coordination;
using Demiurge.Events;

namespace Demiurge.Security;

/// <summary>
/// Finishes key rotations, on the leader only: reseals every secret still sealed by a retiring
/// data key with the active one, one secret per transaction, then deletes the retiring key. A
/// crash anywhere leaves each secret sealed by one key of the ring, and the next term (or the
/// next pass) goes on where it stopped: both keys open secrets until the last one moved.
/// </summary>
internal sealed partial class KeyRotation(
    IKeyRingStore store, KeyRing ring, ILeadership leadership, TimeProvider time, ILogger<KeyRotation> logger) : BackgroundService
{
    private const int BatchSize = 100;

    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _signal = new(0);

    /// <summary>A rotation was started here: do not wait for the next pass.</summary>
    public void Wake() => _signal.Release();

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        leadership.RunTermsAsync(LeadAsync, stoppingToken);

    /// <summary>One pass: every retiring data key's secrets resealed, then the key deleted. Returns how many secrets moved.</summary>
    public async Task<int> ReconcileAsync(CancellationToken cancellationToken)
    {
        var moved = 0;
        await ring.ReloadAsync(cancellationToken);
        foreach (var key in (await store.KeyListAsync(cancellationToken)).Where(k => k.Purpose == KeyPurpose.Data && k.State == KeyState.Retiring))
        {
            IReadOnlyList<StoredSecret> batch;
            while ((batch = await store.SecretListByKeyAsync(key.KeyId, BatchSize, cancellationToken)).Count > 0)
            {
                foreach (var secret in batch)
                {
                    var plaintext = await ring.OpenAsync(secret.KeyId, secret.SecretId, secret.Ciphertext, cancellationToken);
                    var (toKeyId, ciphertext) = ring.Seal(secret.SecretId, plaintext);
                    System.Security.Cryptography.CryptographicOperations.ZeroMemory(plaintext);
                    if (await store.SecretResealAsync(secret.SecretId, secret.KeyId, toKeyId, ciphertext, cancellationToken))
                    {
                        moved++;
                    }
                }
            }

            var auditEvent = new AuditEvent(Ids.New(), SecurityEventKinds.KeyRetired, null, null, key.KeyId, $"every secret resealed by {ring.ActiveDataKeyId}", time.GetUtcNowMilliseconds());
            if (await store.KeyRemoveRetiredAsync(key.KeyId, auditEvent, cancellationToken))
            {
                LogKeyRetired(logger, key.KeyId, ring.ActiveDataKeyId);
            }
        }

        await ring.ReloadAsync(cancellationToken);
        return moved;
    }

    public override void Dispose()
    {
        _signal.Dispose();
        base.Dispose();
    }

    private async Task LeadAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ReconcileAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (exception is System.Data.Common.DbException or System.Security.Cryptography.CryptographicException or InvalidOperationException)
            {
                LogPassFailed(logger, exception);
            }

            await ((Task)_signal.WaitAsync(s_interval, cancellationToken)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(EventId = 8010, Level = LogLevel.Information, Message = "Data key {KeyId} retired: every secret is sealed by {ActiveKeyId}")]
    private static partial void LogKeyRetired(ILogger logger, string keyId, string activeKeyId);

    [LoggerMessage(EventId = 8011, Level = LogLevel.Warning, Message = "Key rotation pass failed; the next pass tries again")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
