using System.Net;

namespace Demiurge.Dns;

/// <summary>DNS for organizations' names (section <c>Demiurge:Dns</c>).</summary>
public sealed class DnsOptions
{
    public const string Embedded = "embedded";
    public const string PowerDns = "powerdns";

    /// <summary><c>embedded</c> (Demiurge's own authoritative server) or <c>powerdns</c>.</summary>
    public string Provider { get; set; } = Embedded;

    /// <summary>UDP and TCP port of the embedded DNS server; 0 picks a free one.</summary>
    public int Port { get; set; } = 8053;

    /// <summary>Address the embedded DNS server listens on.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>Comma-separated addresses of the edge, which organizations' names (and the apex) resolve to.</summary>
    public string EdgeAddresses { get; set; } = "127.0.0.1";

    /// <summary>Base URL of the PowerDNS API, e.g. <c>http://127.0.0.1:8081</c>.</summary>
    public string? PowerDnsUrl { get; set; }

    /// <summary>The PowerDNS API key (its <c>api-key</c> setting).</summary>
    public string? PowerDnsApiKey { get; set; }

    /// <summary>The PowerDNS server id in API paths.</summary>
    public string PowerDnsServerId { get; set; } = "localhost";

    /// <summary>How long one PowerDNS API call may take, retries included (e.g. 5s).</summary>
    public TimeSpan PowerDnsTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the embedded server keeps a TCP connection that has not completed a query and its
    /// answer (e.g. 10s). RFC 7766 6.2.3 suggests seconds: a client that goes quiet, sends a query
    /// slowly or stops reading answers gives its connection up.
    /// </summary>
    public TimeSpan TcpIdleTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>TCP connections the embedded server holds at once; past this, a new one is closed at once (each holds about 200 KB of buffers).</summary>
    public int TcpConnections { get; set; } = 256;

    /// <summary>
    /// TCP connections one source (an IPv4 address, an IPv6 /64) may hold at once, so that one
    /// client cannot take every slot; past this, its new ones are closed at once.
    /// </summary>
    public int TcpConnectionsPerSource { get; set; } = 16;

    /// <summary>The TCP limits; the settings validator has checked them.</summary>
    internal Server.DnsTcpLimits TcpLimits() => new(TcpConnections, TcpConnectionsPerSource, TcpIdleTimeout);

    /// <summary>The parsed <see cref="EdgeAddresses"/>; the settings validator has checked them.</summary>
    internal IReadOnlyList<IPAddress> EdgeAddressList() =>
        EdgeAddresses.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(IPAddress.Parse).ToArray();
}
