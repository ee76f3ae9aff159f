using Demiurge.Hosting;

namespace Demiurge.Dns;

/// <summary>DNS's rows of the settings table, and their validation.</summary>
internal static class DnsSettings
{
    public static readonly Setting Provider = new("Dns:Provider", typeof(string), "DNS: embedded or powerdns.", Name: "Dns");
    public static readonly Setting Port = new("Dns:Port", typeof(int), "UDP and TCP port of the embedded DNS server (0 picks a free one).");

    public static readonly IReadOnlyList<Setting> All = [Provider, Port];

    public static void Validate(DnsOptions options, List<string> errors)
    {
        if (options.Provider is not (DnsOptions.Embedded or DnsOptions.PowerDns))
        {
            errors.Add($"{Provider.Describe()} '{options.Provider}' is not one of {DnsOptions.Embedded}, {DnsOptions.PowerDns}.");
        }

        Settings.ValidatePort(Port, options.Port, errors);
    }
}
