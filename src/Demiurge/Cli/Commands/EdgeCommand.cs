using System.CommandLine;
using Demiurge.Edge;
using Demiurge.Hosting;
using Demiurge.Store;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge edge</c>: the embedded edge alone, following the routes in the store until stopped.</summary>
internal static class EdgeCommand
{
    private static readonly IReadOnlyList<Setting> s_settings = [Settings.DataDir, Settings.Domain, Settings.LogFormat, .. StoreSettings.All, .. EdgeSettings.All];

    public static Command Create() =>
        SettingFlags.With(
            new Command("edge", "Run the embedded edge (stage-1 proxy) alone, over the configured store, until Ctrl-C."),
            s_settings,
            (flags, parseResult, cancellationToken) => RoleRunner.RunAsync(
                "Demiurge edge", () => Roles.Edge(flags), Summary, parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, cancellationToken));

    private static string Summary(RoleHost host)
    {
        var edge = host.Services.GetRequiredService<EmbeddedEdgeService>().Host!;
        return $"""
              HTTP:     {ServeCommand.EdgeUrl(edge.HttpUrl, edge.Options.Domain)}
              HTTPS:    {ServeCommand.EdgeUrl(edge.HttpsUrl, edge.Options.Domain)}
              CA:       {edge.CertificateAuthorityPath}
              Data:     {Path.GetFullPath(edge.Options.DataDir)}
            """;
    }
}
