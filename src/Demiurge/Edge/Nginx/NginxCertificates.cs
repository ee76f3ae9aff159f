using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace Demiurge.Edge.Nginx;

/// <summary>
/// The certificates nginx serves, one per organization and level as the embedded edge's
/// (<see cref="Common.HostNames.CertificateNameOf"/>): files named after the certificate's name
/// with <c>*</c> as <c>_</c> (<c>_.org-{id}.{domain}.crt</c> and <c>.key</c>). The operator's,
/// from <see cref="EdgeOptions.NginxCertificatesDir"/>, or else issued by the local certificate
/// authority into the sites folder's <c>certs/</c> and issued again 30 days before they expire.
/// </summary>
/// <remarks>
/// nginx reads the files only when it starts or reloads, so <see cref="RenewAsync"/> says when a
/// reload is due without a site changing: one of ours nears its expiry, or one of the operator's
/// was replaced on disk. What it knows of each file (when ours expires, when the operator's was
/// written) is kept in memory, so a check costs a look-up, or a stat for the operator's.
/// </remarks>
internal sealed class NginxCertificates(EdgeOptions edge, Func<LocalCertificateAuthority> authority)
{
    private static readonly TimeSpan s_renewBefore = TimeSpan.FromDays(30);

    private readonly Lazy<LocalCertificateAuthority> _authority = new(authority);

    // By certificate name: when ours expires, or the operator's files as last seen.
    private readonly ConcurrentDictionary<string, Stamp> _seen = new(StringComparer.Ordinal);

    private string Folder => edge.NginxCertificatesDir ?? Path.Combine(edge.NginxSitesDir, "certs");

    public (string Certificate, string Key) Paths(string name)
    {
        var file = Path.Combine(Folder, name.Replace('*', '_'));
        return (file + ".crt", file + ".key");
    }

    /// <summary>
    /// Writes the local authority's certificate for <paramref name="name"/> unless the operator
    /// provides them or a current one is there; true when it wrote one (nginx must reload to serve it).
    /// </summary>
    public async Task<bool> EnsureAsync(string name, DateTimeOffset now)
    {
        var (certificatePath, keyPath) = Paths(name);
        if (edge.NginxCertificatesDir is not null)
        {
            _seen.TryAdd(name, OperatorStamp(name));
            return false;
        }

        if (File.Exists(keyPath) && File.Exists(certificatePath))
        {
            var notAfter = _seen.TryGetValue(name, out var seen) ? seen.NotAfter
                : X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certificatePath)).NotAfter.ToUniversalTime();
            _seen[name] = new Stamp(notAfter, default, default);
            if (notAfter - now.UtcDateTime > s_renewBefore)
            {
                return false;
            }
        }

        DataDirectory.CreateFolder(Folder);
        var certificate = _authority.Value.CertificateFor(name, s_renewBefore);
        using var key = certificate.GetECDsaPrivateKey()!;
        await using (var stream = DataDirectory.OpenFile(keyPath, FileMode.Create, FileAccess.Write))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(key.ExportPkcs8PrivateKeyPem());
        }

        await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem());
        _seen[name] = new Stamp(certificate.NotAfter.ToUniversalTime(), default, default);
        return true;
    }

    /// <summary>
    /// Whether nginx must reload to serve <paramref name="name"/>'s current certificate: ours was
    /// issued again because it nears expiry, or the operator's files changed since last seen.
    /// </summary>
    public Task<bool> RenewAsync(string name, DateTimeOffset now)
    {
        if (edge.NginxCertificatesDir is null)
        {
            return EnsureAsync(name, now);
        }

        var stamp = OperatorStamp(name);
        var changed = _seen.TryGetValue(name, out var seen) && seen != stamp;
        _seen[name] = stamp;
        return Task.FromResult(changed);
    }

    // The operator's files as they are now: when each was written and how long it is (default when missing).
    private Stamp OperatorStamp(string name)
    {
        var (certificate, key) = Paths(name);
        var certificateFile = new FileInfo(certificate);
        var keyFile = new FileInfo(key);
        return new Stamp(default, certificateFile.Exists ? (certificateFile.LastWriteTimeUtc, certificateFile.Length) : default,
            keyFile.Exists ? (keyFile.LastWriteTimeUtc, keyFile.Length) : default);
    }

    /// <summary>When our certificate expires; or when the operator's files were written, and their lengths.</summary>
    private readonly record struct Stamp(DateTime NotAfter, (DateTime Written, long Length) Certificate, (DateTime Written, long Length) Key);
}
