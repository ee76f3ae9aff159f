namespace Demiurge.Dns.Server;

/// <summary>
/// What TCP clients of the embedded server may hold: connections in all, connections per source
/// (an IPv4 address, or an IPv6 /64, which one client usually holds whole), and how long a
/// connection may stay without completing a query and its answer.
/// </summary>
internal sealed record DnsTcpLimits(int MaxConnections, int MaxConnectionsPerSource, TimeSpan IdleTimeout)
{
    /// <summary>The defaults of <see cref="DnsOptions"/>.</summary>
    public static DnsTcpLimits Default { get; } = new DnsOptions().TcpLimits();
}
