using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Demiurge.Edge;

/// <summary>
/// The edge's own certificate authority, the analog of the seed's mkcert step: created on first
/// run in <c>{DataDir}/edge</c> (the key readable by its owner only) and reused afterwards, so
/// that trusting <c>ca.crt</c> once covers every name the edge will ever serve. Certificates
/// are issued on first use and kept in a least-recently-used cache of
/// <see cref="CacheCapacity"/> entries, so that the keys held stay bounded whatever clients ask for.
/// </summary>
internal sealed class LocalCertificateAuthority : IDisposable
{
    public const string CertificateFileName = "ca.crt";
    public const string KeyFileName = "ca.key";

    private static readonly TimeSpan s_hostValidity = TimeSpan.FromDays(90);
    private static readonly TimeSpan s_renewBefore = TimeSpan.FromDays(7);

    /// <summary>
    /// How many certificates the edge keeps by default: one per organization served recently,
    /// plus the apex and the API. A name evicted is issued again on its next handshake (about
    /// a millisecond for a P-256 key), so the bound costs little even with more organizations.
    /// </summary>
    public const int DefaultCacheCapacity = 1024;

    // Most recently used first. One lock for lookups and issues alike: an issue under the lock
    // means concurrent handshakes for one name get one certificate, not one each.
    private readonly Dictionary<string, LinkedListNode<(string Name, X509Certificate2 Certificate)>> _issued = new(StringComparer.OrdinalIgnoreCase);
    private readonly LinkedList<(string Name, X509Certificate2 Certificate)> _recency = new();
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private long _issuedTotal;

    private LocalCertificateAuthority(X509Certificate2 certificate, TimeProvider time, int cacheCapacity)
    {
        Certificate = certificate;
        _time = time;
        CacheCapacity = cacheCapacity;
    }

    /// <summary>The authority's certificate (with its private key), the one operators trust.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The most certificates held at once.</summary>
    public int CacheCapacity { get; }

    /// <summary>Certificates held now, at most <see cref="CacheCapacity"/>.</summary>
    public int CachedCount
    {
        get
        {
            lock (_lock)
            {
                return _issued.Count;
            }
        }
    }

    /// <summary>Certificates (and keys) issued since start, renewals and re-issues after eviction included.</summary>
    public long IssuedTotal => Interlocked.Read(ref _issuedTotal);

    /// <summary>Loads the authority from <paramref name="folder"/>, creating it there on first run.</summary>
    public static LocalCertificateAuthority LoadOrCreate(string folder, TimeProvider time, int cacheCapacity = DefaultCacheCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cacheCapacity, 1);
        DataDirectory.CreateFolder(folder);
        var certificatePath = Path.Combine(folder, CertificateFileName);
        var keyPath = Path.Combine(folder, KeyFileName);
        // 'demiurge up' and 'demiurge edge' may start together on one data directory: the
        // first to hold the lock creates the authority, the other loads it.
        using var creation = AcquireLock(Path.Combine(folder, "ca.lock"));
        if (!File.Exists(certificatePath) || !File.Exists(keyPath))
        {
            using var created = Create(time);
            using var key = created.GetECDsaPrivateKey()!;
            WritePrivate(keyPath, key.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(certificatePath, created.ExportCertificatePem());
        }

        return new LocalCertificateAuthority(X509Certificate2.CreateFromPemFile(certificatePath, keyPath), time, cacheCapacity);
    }

    /// <summary>
    /// A certificate for <paramref name="name"/>, signed by this authority; issued once and reused
    /// until it nears expiry (has <paramref name="renewBefore"/> left, a week by default) or is
    /// evicted. A wildcard <c>*.{parent}</c> also names <c>{parent}</c> itself.
    /// </summary>
    public X509Certificate2 CertificateFor(string name, TimeSpan? renewBefore = null)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (_issued.TryGetValue(name, out var cached))
            {
                if (cached.Value.Certificate.NotAfter.ToUniversalTime() - now.UtcDateTime > (renewBefore ?? s_renewBefore))
                {
                    _recency.Remove(cached);
                    _recency.AddFirst(cached);
                    return cached.Value.Certificate;
                }

                Forget(cached);
            }

            if (_issued.Count >= CacheCapacity)
            {
                Forget(_recency.Last!);
            }

            var issued = Issue(name, now);
            _issued[name] = _recency.AddFirst((name, issued));
            Interlocked.Increment(ref _issuedTotal);
            return issued;
        }
    }

    public void Dispose()
    {
        foreach (var (_, certificate) in _recency)
        {
            certificate.Dispose();
        }

        Certificate.Dispose();
    }

    // An evicted certificate is not disposed: a handshake may still be using it. The collector
    // frees it once no connection refers to it.
    private void Forget(LinkedListNode<(string Name, X509Certificate2 Certificate)> node)
    {
        _recency.Remove(node);
        _issued.Remove(node.Value.Name);
    }

    private X509Certificate2 Issue(string name, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={name}"), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        if (name.StartsWith("*.", StringComparison.Ordinal))
        {
            names.AddDnsName(name[2..]);
        }

        request.CertificateExtensions.Add(names.Build(critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var notAfter = now + s_hostValidity < Certificate.NotAfter ? now + s_hostValidity : new DateTimeOffset(Certificate.NotAfter);
        using var certificate = request.Create(Certificate, now.AddHours(-1), notAfter, RandomNumberGenerator.GetBytes(16));
        return certificate.CopyWithPrivateKey(key);
    }

    private static X509Certificate2 Create(TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN=Demiurge local CA ({Environment.MachineName}), O=Demiurge"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
    }

    private static void WritePrivate(string path, string text)
    {
        File.Delete(path);
        using var stream = DataDirectory.OpenFile(path, FileMode.CreateNew, FileAccess.Write);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }

    private static FileStream AcquireLock(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return DataDirectory.OpenFile(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 100)
            {
                Thread.Sleep(50);
            }
        }
    }
}
