using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Demiurge.Hosting;

namespace Demiurge.Edge;

/// <summary>
/// The edge's own certificate authority, the analog of the seed's mkcert step: created on first
/// run in <c>{DataDir}/edge</c> (the key readable by its owner only) and reused afterwards, so
/// that trusting <c>ca.crt</c> once covers every name the edge will ever serve. Host
/// certificates are issued on first use and cached.
/// </summary>
internal sealed class LocalCertificateAuthority : IDisposable
{
    public const string CertificateFileName = "ca.crt";
    public const string KeyFileName = "ca.key";

    private static readonly TimeSpan s_hostValidity = TimeSpan.FromDays(90);
    private static readonly TimeSpan s_renewBefore = TimeSpan.FromDays(7);

    private readonly ConcurrentDictionary<string, X509Certificate2> _issued = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _time;

    private LocalCertificateAuthority(X509Certificate2 certificate, TimeProvider time)
    {
        Certificate = certificate;
        _time = time;
    }

    /// <summary>The authority's certificate (with its private key), the one operators trust.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Loads the authority from <paramref name="folder"/>, creating it there on first run.</summary>
    public static LocalCertificateAuthority LoadOrCreate(string folder, TimeProvider time)
    {
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

        return new LocalCertificateAuthority(X509Certificate2.CreateFromPemFile(certificatePath, keyPath), time);
    }

    /// <summary>A certificate for <paramref name="host"/>, signed by this authority; issued once and reused until it nears expiry.</summary>
    public X509Certificate2 CertificateFor(string host)
    {
        var now = _time.GetUtcNow();
        if (_issued.TryGetValue(host, out var cached) && cached.NotAfter.ToUniversalTime() - now.UtcDateTime > s_renewBefore)
        {
            return cached;
        }

        var issued = Issue(host, now);
        _issued[host] = issued;
        return issued;
    }

    public void Dispose()
    {
        foreach (var certificate in _issued.Values)
        {
            certificate.Dispose();
        }

        Certificate.Dispose();
    }

    private X509Certificate2 Issue(string host, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={host}"), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
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
