using System.CommandLine;
using Demiurge.Dns;
using Demiurge.Dns.Server;
using Demiurge.Hosting;
using Demiurge.Store;

namespace Demiurge.Cli.Commands;

/// <summary><c>demiurge dns</c>: the embedded DNS server alone, answering from the store until Ctrl-C.</summary>
internal static class DnsCommand
{
    private static readonly IReadOnlyList<Setting> s_settings = [Settings.DataDir, Settings.Domain, Settings.LogFormat, .. StoreSettings.All, .. DnsSettings.All];

    public static Command Create() =>
        SettingFlags.With(
            new Command("dns", "Run the embedded authoritative DNS server alone, answering from the store, until Ctrl-C."),
            s_settings,
            (flags, parseResult, cancellationToken) => RoleRunner.RunAsync(
                "Demiurge DNS", () => Roles.Dns(flags), Summary, parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, cancellationToken));

    private static string Summary(RoleHost host)
    {
        var options = host.Services.GetRequiredService<IOptions<DemiurgeOptions>>().Value;
        var endPoint = host.Services.GetRequiredService<DnsService>().EndPoint!;
        return $"""
              DNS:    {endPoint} (UDP and TCP), zone {options.Domain}
              Data:   {Path.GetFullPath(options.DataDir)}
              Try:    dig @{endPoint.Address} -p {endPoint.Port} {options.Domain} SOA
            """;
    }
}
