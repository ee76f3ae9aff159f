using System.Globalization;
using System.Net;
using Demiurge.Hosting;

namespace Demiurge.Edge.Nginx;

/// <summary>
/// The nginx file of one organization: a server block for <c>org-{id}.{domain}</c> and every
/// name under it, proxying to its gateway with WebSocket upgrades and X-Forwarded-* headers,
/// like the embedded edge. Inputs are checked before they are written into configuration.
/// </summary>
internal static class NginxSite
{
    /// <summary>The shared file for the http block: the map the WebSocket upgrade needs (nginx allows it only once).</summary>
    public const string SharedFileName = "demiurge.conf";

    public const string SharedContent = """
        # Written by Demiurge: shared by its org-*.conf files.
        # Organizations' names are long (org-{uuid}.{domain}) and there may be 100,000 of them.
        # nginx grows the hash one bucket at a time until the names fit, so big buckets keep
        # that search (and so every test and reload) short: 10,000 organizations test in
        # 1.9 s with 4096 against 3.4 s with 256.
        server_names_hash_bucket_size 4096;
        server_names_hash_max_size 1048576;

        map $http_upgrade $demiurge_connection_upgrade {
            default upgrade;
            ''      '';
        }

        """;

    public static string FileName(string organizationId) => $"org-{organizationId}.conf";

    /// <summary>The organization whose file <paramref name="fileName"/> is, or null for any other file (the shared one, a temporary one).</summary>
    public static string? OrganizationOf(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (!fileName.StartsWith("org-", StringComparison.Ordinal) || !fileName.EndsWith(".conf", StringComparison.Ordinal))
        {
            return null;
        }

        var id = fileName["org-".Length..^".conf".Length];
        return IsId(id) ? id : null;
    }

    /// <exception cref="ArgumentException">The id or the gateway address cannot be written safely into nginx configuration.</exception>
    public static string Render(string organizationId, Uri gateway, EdgeOptions edge, string domain)
    {
        CheckId(organizationId);
        ArgumentNullException.ThrowIfNull(gateway);
        if (!gateway.IsAbsoluteUri || gateway.Scheme is not ("http" or "https") || gateway.UserInfo.Length > 0
            || gateway.Host.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or ':' or '[' or ']')))
        {
            throw new ArgumentException($"'{gateway}' is not an http(s) address nginx can proxy to.", nameof(gateway));
        }

        var address = IPAddress.Parse(edge.ListenAddress);
        var listen = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        var name = GatewayNames.Hostname(organizationId, domain);
        // proxy_pass straight to the address, not through an upstream block with kept-alive
        // connections: nginx looks upstreams up by a linear search, so 10,000 of them took a
        // configuration test from 0.6 s to 5.4 s, and every route change pays that twice.
        return string.Create(CultureInfo.InvariantCulture, $$"""
            # Written by Demiurge for organization {{organizationId}}; changes here are overwritten.
            server {
                listen {{listen}}:{{edge.HttpPort}};
                server_name {{name}} *.{{name}};

                location / {
                    proxy_pass {{gateway.Scheme}}://{{gateway.Authority}};
                    proxy_http_version 1.1;
                    proxy_set_header Host $http_host;
                    proxy_set_header Upgrade $http_upgrade;
                    proxy_set_header Connection $demiurge_connection_upgrade;
                    proxy_set_header X-Forwarded-For $remote_addr;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    proxy_set_header X-Forwarded-Host $http_host;
                    proxy_buffering off;
                    proxy_request_buffering off;
                    proxy_read_timeout 1h;
                    proxy_send_timeout 1h;
                }
            }

            """);
    }

    /// <exception cref="ArgumentException">The id is not a lower-case name that is safe in a file name and a server name.</exception>
    public static void CheckId(string organizationId)
    {
        ArgumentException.ThrowIfNullOrEmpty(organizationId);
        if (!IsId(organizationId))
        {
            throw new ArgumentException($"Organization id '{organizationId}' is not a lower-case DNS label.", nameof(organizationId));
        }
    }

    private static bool IsId(string id) => id.Length is > 0 and <= 63 && id.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c) || c == '-');
}
