namespace Demiurge.Edge;

/// <summary>The stage-1 edge (section <c>Demiurge:Edge</c>).</summary>
public sealed class EdgeOptions
{
    /// <summary>The section under <c>Demiurge</c> that holds these options (<see cref="EdgeHost"/> binds it itself).</summary>
    public const string SectionName = "Edge";

    public const string Embedded = "embedded";
    public const string Nginx = "nginx";

    /// <summary><c>embedded</c> (Demiurge's own proxy) or <c>nginx</c>.</summary>
    public string Provider { get; set; } = Embedded;

    /// <summary>Address the edge listens on (both providers); 127.0.0.1 by default, 0.0.0.0 or :: for every interface.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>Port of the edge's plain HTTP listener (both providers); 0 picks a free one for the embedded edge.</summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary>Port of the edge's TLS listener; 0 picks a free one for the embedded edge, and turns TLS off for nginx.</summary>
    public int HttpsPort { get; set; } = 8443;

    /// <summary>The nginx executable, a path or a name looked up on PATH.</summary>
    public string NginxBinary { get; set; } = "nginx";

    /// <summary>nginx's prefix (<c>-p</c>); nginx's compiled-in prefix when unset.</summary>
    public string? NginxPrefix { get; set; }

    /// <summary>nginx's main configuration file (<c>-c</c>), which must include <see cref="NginxSitesDir"/>/*.conf in its http block.</summary>
    public string NginxConfig { get; set; } = "/etc/nginx/nginx.conf";

    /// <summary>Folder that holds one file per site (a name under the domain and its wildcard); Demiurge owns the files named after names in the domain.</summary>
    public string NginxSitesDir { get; set; } = "/etc/nginx/demiurge";

    /// <summary>
    /// Folder of certificates you provide for nginx, one per organization and level, named after
    /// the certificate's name with <c>*</c> as <c>_</c> (<c>_.org-{id}.{domain}.crt</c> and
    /// <c>.key</c>); when unset, the local certificate authority issues them.
    /// </summary>
    public string? NginxCertificatesDir { get; set; }
}
