using System.Globalization;
using System.Net;
using System.Text;

namespace Demiurge.Edge.Nginx;

/// <summary>
/// The nginx file of one site: a name under the domain and its wildcard (<c>org-{id}.{domain}</c>
/// and <c>*.org-{id}.{domain}</c>, say), proxying to their destinations with WebSocket upgrades
/// and X-Forwarded-* headers, like the embedded edge. Routes are checked
/// (<see cref="EdgeRoute.Validate"/>) before they are written into configuration.
/// </summary>
internal static class NginxSite
{
    /// <summary>The shared file for the http block: the map the WebSocket upgrade needs (nginx allows it only once).</summary>
    public const string SharedFileName = "demiurge.conf";

    public const string SharedContent = """
        # Written by Demiurge: shared by its site files.
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

    /// <summary>The site of <paramref name="host"/>: the name itself, or what follows <c>*.</c>; its exact name and its wildcard share a file.</summary>
    public static string SiteOf(string host) => host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;

    public static string FileName(string site) => site + ".conf";

    /// <summary>
    /// The site whose file <paramref name="fileName"/> is: one named after a name in
    /// <paramref name="domain"/>, or an <c>org-….conf</c> of the layout before routes were host
    /// patterns; null for any other file (the shared one, a temporary one, the operator's).
    /// </summary>
    public static string? SiteOfFile(string fileName, string domain)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (!fileName.EndsWith(".conf", StringComparison.Ordinal))
        {
            return null;
        }

        var site = fileName[..^".conf".Length];
        return site == domain || site.EndsWith("." + domain, StringComparison.Ordinal) || site.StartsWith(HostNames.OrganizationPrefix, StringComparison.Ordinal) ? site : null;
    }

    /// <summary>
    /// The file of a site: a server block per set of destinations (the exact name and its wildcard
    /// share one when theirs are the same), or null when neither routes. A block forwards to its
    /// one destination that takes new requests, through an <c>upstream</c> with weights when more
    /// do, and answers 503 when every one drains. Draining destinations are left out: a reload
    /// gives them no new requests, while the old workers finish the requests and WebSockets they have.
    /// </summary>
    /// <exception cref="ArgumentException">The destinations of a route mix http and https, which one nginx upstream cannot.</exception>
    /// <remarks>With <paramref name="tls"/>, each block also listens with TLS on the HTTPS port, with the certificate of the site's level.</remarks>
    public static string? Render(string site, IReadOnlyList<EdgeRoute> routes, EdgeOptions edge, (string Certificate, string Key)? tls = null)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(edge);
        var live = routes.Where(r => !r.IsRemoved).ToList();
        if (live.Count == 0)
        {
            return null;
        }

        var address = IPAddress.Parse(edge.ListenAddress);
        var listen = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        var text = new StringBuilder($"# Written by Demiurge for {site}; changes here are overwritten.\n");
        foreach (var group in live.GroupBy(r => Key(r.Destinations)))
        {
            var hosts = group.Select(r => r.Host).ToList();
            var active = group.First().Destinations.Where(d => !d.Draining).ToList();
            if (active.Select(d => d.Address.Scheme).Distinct().Count() > 1)
            {
                throw new ArgumentException($"The destinations of '{hosts[0]}' mix http and https; nginx needs one scheme per route.", nameof(routes));
            }

            // proxy_pass straight to the address, not through an upstream block with kept-alive
            // connections: nginx looks upstreams up by a linear search, so 10,000 of them took a
            // configuration test from 0.6 s to 5.4 s, and every route change pays that twice.
            // Only a choice by weight needs one.
            var upstream = "demiurge_" + string.Join('_', hosts.Select(UpstreamLabel));
            if (active.Count > 1)
            {
                text.Append(CultureInfo.InvariantCulture, $"upstream {upstream} {{\n");
                foreach (var destination in active)
                {
                    text.Append(CultureInfo.InvariantCulture, $"    server {destination.Address.Authority} weight={destination.Weight};\n");
                }

                text.Append("}\n");
            }

            var target = active.Count switch
            {
                0 => "return 503;",
                1 => $"proxy_pass {active[0].Address.Scheme}://{active[0].Address.Authority};",
                _ => $"proxy_pass {active[0].Address.Scheme}://{upstream};",
            };
            var https = tls is { } files
                ? $"\n    listen {listen}:{edge.HttpsPort} ssl;\n    ssl_certificate {files.Certificate};\n    ssl_certificate_key {files.Key};"
                : "";
            text.Append(CultureInfo.InvariantCulture, $$"""
                server {
                    listen {{listen}}:{{edge.HttpPort}};{{https}}
                    server_name {{string.Join(' ', hosts)}};

                    location / {
                        {{target}}
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

        return text.ToString();
    }

    // Routes with the same destinations, weights and draining alike, share a server block.
    private static string Key(IReadOnlyList<EdgeDestination> destinations) =>
        string.Join(' ', destinations.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Address.GetLeftPart(UriPartial.Authority)}/{d.Weight}/{d.Draining}")));

    // An upstream's name: the host, "wildcard.{name}" for "*.{name}" (nginx reads no '*' there).
    private static string UpstreamLabel(string host) => host.StartsWith("*.", StringComparison.Ordinal) ? "wildcard." + host[2..] : host;
}
