using System.CommandLine;
using Demiurge.Edge;
using Demiurge.Hosting;
using Demiurge.Store;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge edge</c>: the embedded edge alone, following the routes in the store until stopped.</summary>
internal static class EdgeCommand
{
    private static readonly IReadOnlyList<Setting> s_settings = [Settings.DataDir, Settings.Domain, .. StoreSettings.All, .. EdgeSettings.All];

    public static Command Create() =>
        SettingFlags.With(
            new Command("edge", "Run the embedded edge (stage-1 proxy) alone, over the configured store, until Ctrl-C."),
            s_settings,
            (flags, parseResult, cancellationToken) => RunAsync(flags, parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, cancellationToken));

    private static async Task<int> RunAsync(Dictionary<string, string?> flags, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        EdgeHost edge;
        try
        {
            edge = EdgeHost.Create(flags);
        }
        catch (ConfigurationException exception)
        {
            await error.WriteLineAsync(exception.Message);
            return ExitCodes.InvalidConfiguration;
        }

        await using (edge)
        {
            if (edge.Options.Edge.Provider != EdgeOptions.Embedded)
            {
                await error.WriteLineAsync($"'demiurge edge' runs the embedded edge; with {EdgeSettings.Provider.Flag} {edge.Options.Edge.Provider} the control plane drives nginx itself.");
                return ExitCodes.InvalidConfiguration;
            }

            try
            {
                await edge.StartAsync(cancellationToken);
            }
            catch (IOException exception)
            {
                await error.WriteLineAsync($"Cannot start: {exception.Message}");
                return ExitCodes.Unavailable;
            }

            await output.WriteLineAsync($"""
                Demiurge edge is running.
                  HTTP:     {ServeCommand.EdgeUrl(edge.HttpUrl, edge.Options.Domain)}
                  HTTPS:    {ServeCommand.EdgeUrl(edge.HttpsUrl, edge.Options.Domain)}
                  CA:       {edge.CertificateAuthorityPath}
                  Data:     {Path.GetFullPath(edge.Options.DataDir)}
                Press Ctrl-C to stop.
                """);
            await output.FlushAsync(CancellationToken.None);
            await edge.WaitForShutdownAsync(CancellationToken.None);
        }

        await output.WriteLineAsync("Demiurge edge stopped.");
        return ExitCodes.Success;
    }
}
