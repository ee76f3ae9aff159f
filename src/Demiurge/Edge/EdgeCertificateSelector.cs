using System.Security.Cryptography.X509Certificates;

namespace Demiurge.Edge;

/// <summary>
/// Chooses the certificate of a TLS handshake from its server name (SNI). A name that routes gets
/// the wildcard of its organization's level (<see cref="HostNames.CertificateNameOf"/>): every
/// name of an organization shares <c>*.org-{id}.{domain}</c> (which also names
/// <c>org-{id}.{domain}</c>, and covers <c>uc-{container}.org-{id}.{domain}</c> since a wildcard
/// covers one label); the API's name has its own; anything else, inside the domain or not, gets
/// the domain's certificate. So the names a client can make the edge sign are the routed ones
/// plus two, whatever it sends, and the authority's cache bounds the keys held.
/// </summary>
internal sealed class EdgeCertificateSelector
{
    private readonly LocalCertificateAuthority _authority;
    private readonly EdgeRouteTable _table;
    private readonly string _domain;
    private readonly string _api;

    public EdgeCertificateSelector(LocalCertificateAuthority authority, EdgeRouteTable table, IOptions<PlatformOptions> options)
    {
        _authority = authority;
        _table = table;
        _domain = options.Value.Domain.TrimEnd('.').ToLowerInvariant();
        _api = $"{HostNames.ApiLabel}.{_domain}";
    }

    public X509Certificate2 Select(string? serverName) => _authority.CertificateFor(CertificateName(serverName));

    /// <summary>The name the certificate for <paramref name="serverName"/> is issued to.</summary>
    public string CertificateName(string? serverName)
    {
        if (serverName is null)
        {
            return _domain;
        }

        if (serverName.TrimEnd('.').Equals(_api, StringComparison.OrdinalIgnoreCase))
        {
            return _api;
        }

        // Only a routed name: a random one must not make the edge sign anything.
        return _table.Find(serverName) is not null ? HostNames.CertificateNameOf(serverName, _domain) : _domain;
    }
}
