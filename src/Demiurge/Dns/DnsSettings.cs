using System.Net;

namespace Demiurge.Dns;

/// <summary>DNS's rows of the settings table, and their validation.</summary>
internal static class DnsSettings
{
    public static readonly Setting Provider = new("Dns:Provider", typeof(string), "DNS: embedded or powerdns.", Name: "Dns");
    public static readonly Setting Port = new("Dns:Port", typeof(int), "UDP and TCP port of the embedded DNS server (0 picks a free one).");
    public static readonly Setting Address = new("Dns:Address", typeof(string), "Address the embedded DNS server listens on.");
    public static readonly Setting EdgeAddresses = new("Dns:EdgeAddresses", typeof(string), "Comma-separated edge addresses that organizations' names resolve to.");
    public static readonly Setting TcpIdleTimeout = new("Dns:TcpIdleTimeout", typeof(TimeSpan), "Time a TCP connection to the embedded DNS server may take to complete its next query and answer (e.g. 10s).");
    public static readonly Setting TcpConnections = new("Dns:TcpConnections", typeof(int), "TCP connections the embedded DNS server holds at once.");
    public static readonly Setting TcpConnectionsPerSource = new("Dns:TcpConnectionsPerSource", typeof(int), "TCP connections one source address (an IPv6 /64) may hold at once on the embedded DNS server.");
    public static readonly Setting PowerDnsUrl = new("Dns:PowerDnsUrl", typeof(string), "PowerDNS API base URL, e.g. http://127.0.0.1:8081.", Name: "Powerdns:Url");
    public static readonly Setting PowerDnsApiKey = new("Dns:PowerDnsApiKey", typeof(string), "PowerDNS API key.", Name: "Powerdns:ApiKey");
    public static readonly Setting PowerDnsServerId = new("Dns:PowerDnsServerId", typeof(string), "PowerDNS server id in API paths.", Name: "Powerdns:ServerId");
    public static readonly Setting PowerDnsTimeout = new("Dns:PowerDnsTimeout", typeof(TimeSpan), "Time allowed for one PowerDNS API call, retries included (e.g. 5s).", Name: "Powerdns:Timeout");

    public static readonly IReadOnlyList<Setting> All = [Provider, Port, Address, EdgeAddresses, TcpIdleTimeout, TcpConnections, TcpConnectionsPerSource, PowerDnsUrl, PowerDnsApiKey, PowerDnsServerId, PowerDnsTimeout];

    public static void Validate(DnsOptions options, List<string> errors)
    {
        if (options.Provider is not (DnsOptions.Embedded or DnsOptions.PowerDns))
        {
            errors.Add($"{Provider.Describe()} '{options.Provider}' is not one of {DnsOptions.Embedded}, {DnsOptions.PowerDns}.");
        }

        Port.ValidatePort(options.Port, errors);
        if (!IPAddress.TryParse(options.Address, out _))
        {
            errors.Add($"{Address.Describe()} '{options.Address}' is not an IP address.");
        }

        var edge = options.EdgeAddresses.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (edge.Length == 0 || edge.Any(a => !IPAddress.TryParse(a, out _)))
        {
            errors.Add($"{EdgeAddresses.Describe()} '{options.EdgeAddresses}' is not a comma-separated list of IP addresses.");
        }

        TcpIdleTimeout.ValidatePositive(options.TcpIdleTimeout, errors);

        if (options.TcpConnections < 1)
        {
            errors.Add($"{TcpConnections.Describe()} must be at least 1, not {options.TcpConnections}.");
        }

        if (options.TcpConnectionsPerSource < 1 || (options.TcpConnections >= 1 && options.TcpConnectionsPerSource > options.TcpConnections))
        {
            errors.Add($"{TcpConnectionsPerSource.Describe()} must be between 1 and {TcpConnections.Flag} ({options.TcpConnections}), not {options.TcpConnectionsPerSource}.");
        }

        if (options.Provider != DnsOptions.PowerDns)
        {
            return;
        }

        if (!Uri.TryCreate(options.PowerDnsUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            errors.Add($"{PowerDnsUrl.Describe()} '{options.PowerDnsUrl}' must be an http or https URL when {Provider.Flag} is {DnsOptions.PowerDns}.");
        }

        if (string.IsNullOrWhiteSpace(options.PowerDnsApiKey))
        {
            errors.Add($"{PowerDnsApiKey.Describe()} is required when {Provider.Flag} is {DnsOptions.PowerDns}.");
        }

        if (string.IsNullOrWhiteSpace(options.PowerDnsServerId) || options.PowerDnsServerId.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.')))
        {
            errors.Add($"{PowerDnsServerId.Describe()} '{options.PowerDnsServerId}' must be letters, digits, '-', '_' or '.'.");
        }

        PowerDnsTimeout.ValidatePositive(options.PowerDnsTimeout, errors);
    }
}
