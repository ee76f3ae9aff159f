using System.Security.Cryptography.X509Certificates;

namespace Demiurge.Edge.Nginx;

/// <summary>
/// The certificates nginx serves, one per organization and level as the embedded edge's
/// (<see cref="Common.HostNames.CertificateNameOf"/>): files named after the certificate's name
/// with <c>*</c> as <c>_</c> (<c>_.org-{id}.{domain}.crt</c> and <c>.key</c>). The operator's,
/// from <see cref="EdgeOptions.NginxCertificatesDir"/>, or else issued by the local certificate
/// authority into the sites folder's <c>certs/</c> and issued again 30 days before they expire.
/// </summary>
internal sealed class NginxCertificates(EdgeOptions edge, Func<LocalCertificateAuthority> authority)
{
    private static readonly TimeSpan s_renewBefore = TimeSpan.FromDays(30);

    private readonly Lazy<LocalCertificateAuthority> _authority = new(authority);

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
        if (edge.NginxCertificatesDir is not null || (File.Exists(keyPath) && File.Exists(certificatePath)
            && X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certificatePath)).NotAfter.ToUniversalTime() - now.UtcDateTime > s_renewBefore))
        {
            return false;
        }

        DataDirectory.CreateFolder(Folder);
        var certificate = _authority.Value.CertificateFor(name);
        using var key = certificate.GetECDsaPrivateKey()!;
        await using (var stream = DataDirectory.OpenFile(keyPath, FileMode.Create, FileAccess.Write))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(key.ExportPkcs8PrivateKeyPem());
        }

        await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem());
        return true;
    }
}
