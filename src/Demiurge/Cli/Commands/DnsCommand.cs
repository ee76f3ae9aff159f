using System.CommandLine;
using Demiurge.Dns;
using Demiurge.Dns.Server;
using Demiurge.Hosting;
using Demiurge.Store;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge dns</c>: the embedded DNS server alone, answering from the store until Ctrl-C.</summary>
internal static class DnsCommand
{
    private static readonly IReadOnlyList<Setting> s_settings = [Settings.DataDir, Settings.Domain, .. StoreSettings.All, .. DnsSettings.All];

    public static Command Create() =>
        SettingFlags.With(
            new Command("dns", "Run the embedded authoritative DNS server alone, answering from the store, until Ctrl-C."),
            s_settings,
            (flags, parseResult, cancellationToken) => RunAsync(flags, parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, cancellationToken));

    private static async Task<int> RunAsync(Dictionary<string, string?> flags, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ApplicationName = "demiurge" });
        try
        {
            ControlPlane.Configure(builder, flags, environment: null);
        }
        catch (ConfigurationException exception)
        {
            await error.WriteLineAsync(exception.Message);
            return ExitCodes.InvalidConfiguration;
        }

        builder.Services.AddSingleton(new ControlPlaneRole(ServesEdge: false, ServesDns: true));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddStore();
        builder.Services.AddDns();
        using var host = builder.Build();
        var options = host.Services.GetRequiredService<IOptions<DemiurgeOptions>>().Value;
        if (options.Dns.Provider != DnsOptions.Embedded)
        {
            await error.WriteLineAsync($"demiurge dns runs the embedded server; with {DnsSettings.Provider.Flag} {options.Dns.Provider} that server answers instead.");
            return ExitCodes.InvalidConfiguration;
        }

        try
        {
            DataDirectory.Prepare(options);
            await host.Services.GetRequiredService<Database>().MigrateAsync(cancellationToken);
            await host.StartAsync(cancellationToken);
        }
        catch (IOException exception)
        {
            await error.WriteLineAsync($"Cannot start: {exception.Message}");
            return ExitCodes.Unavailable;
        }

        var endPoint = host.Services.GetRequiredService<DnsService>().EndPoint;
        await output.WriteLineAsync($"""
            Demiurge DNS is running.
              DNS:    {endPoint} (UDP and TCP), zone {options.Domain}
              Data:   {Path.GetFullPath(options.DataDir)}
              Try:    dig @{endPoint!.Address} -p {endPoint.Port} {options.Domain} SOA
            Press Ctrl-C to stop.
            """);
        await output.FlushAsync(cancellationToken);
        await host.WaitForShutdownAsync(CancellationToken.None);
        await output.WriteLineAsync("Demiurge DNS stopped.");
        return ExitCodes.Success;
    }
}
