using System.Collections.Concurrent;
using System.Security.Cryptography;
using Demiurge.Events;
using Demiurge.Protocol;

namespace Demiurge.Security;

/// <summary>
/// The keys every control plane of one store shares (docs/security.md): one active data key that
/// seals secrets (older ones retiring during a rotation), and the signing key of the control
/// planes' calls to workers. The store keeps them wrapped by the <see cref="MasterKey"/>, which
/// each control plane holds itself; here they are unwrapped, in memory only.
/// </summary>
internal sealed partial class KeyRing(IKeyRingStore store, IOptions<PlatformOptions> options, TimeProvider time, ILogger<KeyRing> logger) : IDisposable
{
    // Raw data keys by id; an AesGcm is made per use, since one instance is not safe to share between threads.
    private readonly ConcurrentDictionary<string, byte[]> _dataKeys = new(StringComparer.Ordinal);
    private readonly Lock _signing = new();
    private readonly SemaphoreSlim _reload = new(1, 1);
    private MasterKey? _master;
    private ECDsa? _signingKey;

    /// <summary>The id of the key that signs calls to workers.</summary>
    public string SigningKeyId { get; private set; } = string.Empty;

    /// <summary>The signing keys' public halves, as workers get them at start (<see cref="Protocol.WorkerEnvironment.ControlPlaneKeys"/>).</summary>
    public string PublicKeys { get; private set; } = string.Empty;

    /// <summary>The data key new secrets are sealed with.</summary>
    public string ActiveDataKeyId { get; private set; } = string.Empty;

    private MasterKey Master => _master ?? throw new InvalidOperationException("The key ring is not loaded.");

    private ECDsa SigningKey => _signingKey ?? throw new InvalidOperationException("The key ring is not loaded.");

    /// <summary>
    /// Opens the ring: reads the master key (creating it, 0600, when the store has no ring yet),
    /// creates the signing and data keys a new store lacks, and unwraps every key.
    /// </summary>
    /// <exception cref="ConfigurationException">This control plane's master key does not open the store's ring.</exception>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var keys = await store.KeyListAsync(cancellationToken);
        _master ??= MasterKey.Load(options.Value.MasterKey, Path.Combine(options.Value.DataDir, MasterKey.FileName), create: keys.Count == 0);
        foreach (var purpose in Enum.GetValues<KeyPurpose>())
        {
            if (!keys.Any(k => k.Purpose == purpose && k.State == KeyState.Active))
            {
                // Another control plane may create it at the same time: one wins, both read it back.
                await store.KeyAddAsync(NewKey(purpose), retireActive: false, null, cancellationToken);
            }
        }

        await ReloadAsync(cancellationToken);
    }

    /// <summary>Seals <paramref name="plaintext"/> with the active data key, bound to <paramref name="secretId"/>.</summary>
    public (string KeyId, string Ciphertext) Seal(string secretId, ReadOnlySpan<byte> plaintext)
    {
        var keyId = ActiveDataKeyId;
        using var aes = new AesGcm(_dataKeys[keyId], MasterKey.TagBytes);
        return (keyId, MasterKey.Seal(aes, secretId, plaintext));
    }

    /// <summary>Opens what data key <paramref name="keyId"/> sealed; re-reads the ring first when another control plane rotated it.</summary>
    public async Task<byte[]> OpenAsync(string keyId, string secretId, string ciphertext, CancellationToken cancellationToken)
    {
        if (!_dataKeys.ContainsKey(keyId))
        {
            await ReloadAsync(cancellationToken);
        }

        using var aes = new AesGcm(_dataKeys.TryGetValue(keyId, out var key) ? key : throw new CryptographicException($"Data key {keyId} is not in the key ring."), MasterKey.TagBytes);
        return MasterKey.Open(aes, secretId, ciphertext);
    }

    /// <summary>Seals <paramref name="plaintext"/> with the master key itself, bound to <paramref name="name"/> (Data Protection's keys).</summary>
    public string WrapWithMasterKey(string name, ReadOnlySpan<byte> plaintext) => Master.Wrap(name, plaintext);

    /// <summary>Opens what <see cref="WrapWithMasterKey"/> sealed.</summary>
    public byte[] UnwrapWithMasterKey(string name, string sealedText) => Master.Unwrap(name, sealedText);

    /// <summary>The <see cref="ControlPlaneSignature"/> header for a call to worker <paramref name="gatewayId"/>.</summary>
    public string SignWorkerCall(string gatewayId, string method, string pathAndQuery, ReadOnlySpan<byte> body, string? controlPlanes)
    {
        lock (_signing)
        {
            return ControlPlaneSignature.Sign(SigningKey, SigningKeyId, gatewayId, method, pathAndQuery, time.GetUtcNow(), body, controlPlanes);
        }
    }

    /// <summary>A <see cref="RoomTicket"/> for <paramref name="claims"/>, signed with the key that signs calls to workers (which already hold its public half).</summary>
    public string IssueRoomTicket(RoomTicketClaims claims)
    {
        lock (_signing)
        {
            return RoomTicket.Issue(SigningKey, SigningKeyId, claims);
        }
    }

    /// <summary>
    /// Starts a rotation: a new active data key, the old one retiring. <see cref="KeyRotation"/>
    /// then reseals every secret and deletes the retiring key; until then both open secrets.
    /// </summary>
    public async Task<string> RotateDataKeyAsync(string? actorUserId, CancellationToken cancellationToken)
    {
        var key = NewKey(KeyPurpose.Data);
        var auditEvent = new AuditEvent(Ids.New(), SecurityEventKinds.KeyRotated, actorUserId, null, key.KeyId, "rotation started", time.GetUtcNow());
        while (!await store.KeyAddAsync(key, retireActive: true, auditEvent, cancellationToken))
        {
            // Only a concurrent rotation's insert can collide; let it win and rotate again past it.
            await ReloadAsync(cancellationToken);
        }

        await ReloadAsync(cancellationToken);
        LogRotationStarted(logger, key.KeyId);
        return key.KeyId;
    }

    /// <summary>Reads the ring again: keys added or removed by any control plane.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await _reload.WaitAsync(cancellationToken);
        try
        {
            var keys = await store.KeyListAsync(cancellationToken);
            var publicKeys = new List<(string, byte[])>();
            foreach (var key in keys)
            {
                byte[] secret;
                try
                {
                    secret = _master!.Unwrap(key.KeyId, key.Wrapped);
                }
                catch (CryptographicException)
                {
                    throw new ConfigurationException([
                        $"The master key from {_master!.Source} does not open the store's key ring (key {key.KeyId}): every control plane of one store needs the same master key ({MasterKey.Variable} or {MasterKey.FileName})."]);
                }

                try
                {
                    Use(key, secret, publicKeys);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(secret);
                }
            }

            PublicKeys = ControlPlaneKeys.Format(publicKeys);
            foreach (var gone in _dataKeys.Keys.Except(keys.Select(k => k.KeyId)).ToList())
            {
                if (_dataKeys.TryRemove(gone, out var removed))
                {
                    CryptographicOperations.ZeroMemory(removed);
                }
            }
        }
        finally
        {
            _reload.Release();
        }
    }

    public void Dispose()
    {
        foreach (var key in _dataKeys.Values)
        {
            CryptographicOperations.ZeroMemory(key);
        }

        _signingKey?.Dispose();
        _master?.Dispose();
        _reload.Dispose();
    }

    private void Use(RingKey key, byte[] secret, List<(string, byte[])> publicKeys)
    {
        if (key.Purpose == KeyPurpose.Data)
        {
            _dataKeys.GetOrAdd(key.KeyId, _ => (byte[])secret.Clone());
            if (key.State == KeyState.Active)
            {
                ActiveDataKeyId = key.KeyId;
            }

            return;
        }

        publicKeys.Add((key.KeyId, key.PublicKey!));
        if (key.State == KeyState.Active && SigningKeyId != key.KeyId)
        {
            var signing = ECDsa.Create();
            signing.ImportPkcs8PrivateKey(secret, out _);
            lock (_signing)
            {
                _signingKey?.Dispose();
                (_signingKey, SigningKeyId) = (signing, key.KeyId);
            }
        }
    }

    private RingKey NewKey(KeyPurpose purpose)
    {
        var keyId = Ids.New();
        var now = time.GetUtcNow();
        if (purpose == KeyPurpose.Data)
        {
            var bytes = RandomNumberGenerator.GetBytes(32);
            return new RingKey(keyId, purpose, KeyState.Active, _master!.Wrap(keyId, bytes), null, now);
        }

        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var privateKey = signing.ExportPkcs8PrivateKey();
        try
        {
            return new RingKey(keyId, purpose, KeyState.Active, _master!.Wrap(keyId, privateKey), signing.ExportSubjectPublicKeyInfo(), now);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }
    }

    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Key rotation started: data key {KeyId} is active; secrets sealed by older keys are being resealed")]
    private static partial void LogRotationStarted(ILogger logger, string keyId);
}
