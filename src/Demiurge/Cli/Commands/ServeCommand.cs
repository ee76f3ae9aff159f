using System.CommandLine;
using Demiurge.Dns.Server;
using Demiurge.Edge;
using Demiurge.Hosting;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge up</c> and <c>demiurge controlplane</c>: start the control plane and serve until stopped.</summary>
internal static class ServeCommand
{
    public static Command Create(string name, string description) =>
        SettingFlags.With(new Command(name, description), Settings.ControlPlane, (flags, parseResult, cancellationToken) =>
            RoleRunner.RunAsync(
                $"Demiurge {name}",
                () => ControlPlane.Create(flags, role: name == "up" ? ControlPlaneRole.Everything : ControlPlaneRole.ApiOnly).Host,
                Summary,
                parseResult.InvocationConfiguration.Output,
                parseResult.InvocationConfiguration.Error,
                cancellationToken));

    private static string Summary(RoleHost host)
    {
        var api = host.Urls[0].ToString().TrimEnd('/');
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DemiurgeOptions>>().Value;
        var generatedToken = host.Services.GetRequiredService<ControlPlaneStartup>().GeneratedToken;
        var token = generatedToken is not null
            ? $"""
              Admin token (shown only this once; it is stored hashed):
                {generatedToken}
              Use it with:  export DEMIURGE_SERVER={api} DEMIURGE_TOKEN={generatedToken}
              """
            : "Admin token: set earlier and not shown again; start with --admin-token to replace it.";
        return $"""
              API:      {api}
              Docs:     {api}/docs
              OpenAPI:  {api}/openapi/v1.json
              Metrics:  {api}/metrics
              Domain:   {options.Domain}
              DNS:      {(host.Services.GetRequiredService<DnsService>().EndPoint is { } dns ? $"{dns} (UDP and TCP)" : $"{options.Dns.Provider}, served by another process")}{EdgeLines(host, options)}
              Gateways: {options.Pool.Size} workers on ports {options.Pool.Ports}, up to {options.Pool.Max}
              Data:     {Path.GetFullPath(options.DataDir)}
            {token}
            """;
    }

    /// <summary>How an organization's names look through an edge listener, e.g. <c>http://org-{id}.demiurge.localhost:8080</c>.</summary>
    public static string EdgeUrl(Uri listener, string domain) => $"{listener.Scheme}://{HostNames.Organization("{id}", domain)}:{listener.Port}";

    private static string EdgeLines(RoleHost host, DemiurgeOptions options)
    {
        if (options.Edge.Provider == EdgeOptions.Nginx)
        {
            return $"{Environment.NewLine}  Edge:     nginx on port {options.Edge.HttpPort}, sites in {options.Edge.NginxSitesDir}";
        }

        if (host.Services.GetRequiredService<EmbeddedEdgeService>().Host is not { } edge)
        {
            return "";
        }

        return $"""

              Edge:     {EdgeUrl(edge.HttpUrl, options.Domain)}
                        {EdgeUrl(edge.HttpsUrl, options.Domain)} (trust {edge.CertificateAuthorityPath})
            """;
    }
}
