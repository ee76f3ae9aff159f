using System.Net;

namespace Demiurge.Edge;

/// <summary>The edge's rows of the settings table, and their validation.</summary>
internal static class EdgeSettings
{
    public static readonly Setting Provider = new("Edge:Provider", typeof(string), "Stage-1 edge: embedded or nginx.", Name: "Edge");
    public static readonly Setting ListenAddress = new("Edge:ListenAddress", typeof(string), "Address the edge listens on (127.0.0.1; 0.0.0.0 or :: for every interface).");
    public static readonly Setting HttpPort = new("Edge:HttpPort", typeof(int), "Port of the edge's HTTP listener (0 picks a free one for the embedded edge).");
    public static readonly Setting HttpsPort = new("Edge:HttpsPort", typeof(int), "Port of the edge's TLS listener (0 picks a free one for the embedded edge, and turns TLS off for nginx).");
    public static readonly Setting NginxBinary = new("Edge:NginxBinary", typeof(string), "The nginx executable (--edge nginx).");
    public static readonly Setting NginxPrefix = new("Edge:NginxPrefix", typeof(string), "nginx's prefix folder, its -p (--edge nginx; nginx's default when unset).");
    public static readonly Setting NginxConfig = new("Edge:NginxConfig", typeof(string), "nginx's main configuration file, its -c (--edge nginx).");
    public static readonly Setting NginxSitesDir = new("Edge:NginxSitesDir", typeof(string), "Folder for one nginx file per site, included by the main configuration (--edge nginx).");
    public static readonly Setting NginxCertificatesDir = new("Edge:NginxCertificatesDir", typeof(string), "Folder of your certificates for nginx, _.org-{id}.{domain}.crt and .key (--edge nginx; the local certificate authority's when unset).");

    public static readonly IReadOnlyList<Setting> All = [Provider, ListenAddress, HttpPort, HttpsPort, NginxBinary, NginxPrefix, NginxConfig, NginxSitesDir, NginxCertificatesDir];

    public static void Validate(EdgeOptions options, List<string> errors)
    {
        if (options.Provider is not (EdgeOptions.Embedded or EdgeOptions.Nginx))
        {
            errors.Add($"{Provider.Describe()} '{options.Provider}' is not one of {EdgeOptions.Embedded}, {EdgeOptions.Nginx}.");
        }

        if (!IPAddress.TryParse(options.ListenAddress, out _))
        {
            errors.Add($"{ListenAddress.Describe()} '{options.ListenAddress}' is not an IP address.");
        }

        HttpPort.ValidatePort(options.HttpPort, errors);
        HttpsPort.ValidatePort(options.HttpsPort, errors);
        if (options.Provider == EdgeOptions.Nginx && options.HttpPort == 0)
        {
            errors.Add($"{HttpPort.Describe()} must name a port for nginx to listen on, not 0.");
        }

        foreach (var (setting, value) in new[] { (NginxBinary, options.NginxBinary), (NginxConfig, options.NginxConfig), (NginxSitesDir, options.NginxSitesDir) })
        {
            if (options.Provider == EdgeOptions.Nginx && string.IsNullOrWhiteSpace(value))
            {
                errors.Add($"{setting.Describe()} must not be empty with --edge nginx.");
            }
        }
    }
}
