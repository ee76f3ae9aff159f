using System.CommandLine;
using Demiurge.Common;
using Demiurge.Dns.Server;
using Demiurge.Edge;
using Demiurge.Hosting;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge up</c> and <c>demiurge controlplane</c>: start the control plane and serve until stopped.</summary>
internal static class ServeCommand
{
    public static Command Create(string name, string description) =>
        SettingFlags.With(new Command(name, description), Settings.ControlPlane, (flags, parseResult, cancellationToken) =>
            RunAsync(name, flags, parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, cancellationToken));

    private static async Task<int> RunAsync(string role, Dictionary<string, string?> flags, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ControlPlane controlPlane;
        try
        {
            controlPlane = ControlPlane.Create(flags, role: role == "up" ? ControlPlaneRole.Everything : ControlPlaneRole.ApiOnly);
        }
        catch (ConfigurationException exception)
        {
            await error.WriteLineAsync(exception.Message);
            return ExitCodes.InvalidConfiguration;
        }

        await using (controlPlane)
        {
            string? generatedToken;
            try
            {
                generatedToken = await controlPlane.StartAsync(cancellationToken);
            }
            catch (IOException exception)
            {
                await error.WriteLineAsync($"Cannot start: {exception.Message}");
                return ExitCodes.Unavailable;
            }

            await PrintBannerAsync(output, role, controlPlane, generatedToken);
            await controlPlane.WaitForShutdownAsync(CancellationToken.None);
        }

        await output.WriteLineAsync("Demiurge stopped.");
        return ExitCodes.Success;
    }

    private static async Task PrintBannerAsync(TextWriter output, string role, ControlPlane controlPlane, string? generatedToken)
    {
        var api = controlPlane.ApiUrl.ToString().TrimEnd('/');
        var options = controlPlane.Options;
        await output.WriteLineAsync($"""
            Demiurge {role} is running.
              API:      {api}
              Docs:     {api}/docs
              OpenAPI:  {api}/openapi/v1.json
              Metrics:  {api}/metrics
              Domain:   {options.Domain}
              DNS:      {(controlPlane.Services.GetRequiredService<DnsService>().EndPoint is { } dns ? $"{dns} (UDP and TCP)" : $"{options.Dns.Provider}, served by another process")}{EdgeLines(controlPlane)}
              Gateways: {options.Pool.Size} workers on ports {options.Pool.Ports}, up to {options.Pool.Max}
              Data:     {Path.GetFullPath(options.DataDir)}
            """);
        await output.WriteLineAsync(generatedToken is not null
            ? $"""
              Admin token (shown only this once; it is stored hashed):
                {generatedToken}
              Use it with:  export DEMIURGE_SERVER={api} DEMIURGE_TOKEN={generatedToken}
              """
            : "Admin token: set earlier and not shown again; start with --admin-token to replace it.");
        await output.WriteLineAsync("Press Ctrl-C to stop.");
        await output.FlushAsync();
    }

    /// <summary>How an organization's names look through an edge listener, e.g. <c>http://org-{id}.demiurge.localhost:8080</c>.</summary>
    public static string EdgeUrl(Uri listener, string domain) => $"{listener.Scheme}://{HostNames.Organization("{id}", domain)}:{listener.Port}";

    private static string EdgeLines(ControlPlane controlPlane)
    {
        var options = controlPlane.Options;
        if (options.Edge.Provider == EdgeOptions.Nginx)
        {
            return $"{Environment.NewLine}  Edge:     nginx on port {options.Edge.HttpPort}, sites in {options.Edge.NginxSitesDir}";
        }

        if (controlPlane.Services.GetRequiredService<EmbeddedEdgeService>().Host is not { } edge)
        {
            return "";
        }

        return $"""

              Edge:     {EdgeUrl(edge.HttpUrl, options.Domain)}
                        {EdgeUrl(edge.HttpsUrl, options.Domain)} (trust {edge.CertificateAuthorityPath})
            """;
    }
}
