using System.CommandLine;
using Demiurge.Edge;
using Demiurge.Hosting;
using Demiurge.Store;
using Microsoft.Extensions.Options;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge edge</c>: the embedded edge, or this host's nginx, following the routes in the store until stopped.</summary>
internal static class EdgeCommand
{
    private static readonly IReadOnlyList<Setting> s_settings = [Settings.DataDir, Settings.Domain, Settings.LogFormat, .. StoreSettings.All, .. EdgeSettings.All];

    public static Command Create() =>
        SettingFlags.With(
            new Command("edge", "Run the edge (stage-1 proxy) alone, over the configured store, until Ctrl-C: the embedded one, or with --edge nginx this host's nginx."),
            s_settings,
            (flags, parseResult, cancellationToken) => RoleRunner.RunAsync(
                "Demiurge edge", () => Roles.Edge(flags), Summary, parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, cancellationToken));

    private static string Summary(RoleHost host)
    {
        if (host.Services.GetRequiredService<EmbeddedEdgeService>().Host is not { } edge)
        {
            return NginxSummary(host.Services.GetRequiredService<IOptions<DemiurgeOptions>>().Value);
        }

        return $"""
              HTTP:     {ServeCommand.EdgeUrl(edge.HttpUrl, edge.Options.Domain)}
              HTTPS:    {ServeCommand.EdgeUrl(edge.HttpsUrl, edge.Options.Domain)}
              CA:       {edge.CertificateAuthorityPath}
              Data:     {Path.GetFullPath(edge.Options.DataDir)}
            """;
    }

    private static string NginxSummary(DemiurgeOptions options)
    {
        var edge = options.Edge;
        var certificates = edge.HttpsPort == 0 ? "off (no HTTPS port)"
            : edge.NginxCertificatesDir ?? EdgeHost.CertificateAuthorityFile(options.DataDir) + " (local CA)";
        return $"""
              nginx:    {edge.NginxBinary} -c {edge.NginxConfig}
              Sites:    {edge.NginxSitesDir}
              HTTP:     {edge.ListenAddress}:{edge.HttpPort}
              HTTPS:    {(edge.HttpsPort == 0 ? "off" : $"{edge.ListenAddress}:{edge.HttpsPort}")}
              Certs:    {certificates}
              Data:     {Path.GetFullPath(options.DataDir)}
            """;
    }
}
