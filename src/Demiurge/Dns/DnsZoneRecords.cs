using System.Net;
using System.Net.Sockets;

namespace Demiurge.Dns;

/// <summary>
/// The zone's layout, the same for the embedded server and PowerDNS: the records every zone has
/// (from the settings).
/// </summary>
internal static class DnsZoneRecords
{
    /// <summary>Seconds resolvers may cache an answer.</summary>
    public const int Ttl = 60;

    public static string Nameserver(string origin) => $"{HostNames.NameserverLabel}.{origin}";

    public static string Hostmaster(string origin) => "hostmaster." + origin;

    /// <summary>
    /// NS at the apex, the apex (dashboard) and <c>ganymede.</c> (API) at the edge, and the
    /// nameserver's own address (the listen address, or the edge's when it listens everywhere).
    /// </summary>
    public static IReadOnlyList<DnsRecordSet> Static(string domain, DnsOptions dns)
    {
        var origin = domain.ToLowerInvariant();
        var edge = dns.EdgeAddressList();
        var listen = IPAddress.Parse(dns.Address);
        var nameserver = listen.Equals(IPAddress.Any) || listen.Equals(IPAddress.IPv6Any) ? edge : [listen];
        return
        [
            new DnsRecordSet(origin, "NS", Ttl, [Nameserver(origin)]),
            .. Addresses(origin, edge),
            .. Addresses($"{HostNames.ApiLabel}.{origin}", edge),
            .. Addresses(Nameserver(origin), nameserver),
        ];
    }

    /// <summary>One A and one AAAA set for the addresses of each family; with <paramref name="always"/>, empty (deleted) sets too.</summary>
    public static IEnumerable<DnsRecordSet> Addresses(string name, IReadOnlyList<IPAddress> addresses, bool always = false)
    {
        foreach (var (type, family) in new[] { ("A", AddressFamily.InterNetwork), ("AAAA", AddressFamily.InterNetworkV6) })
        {
            var values = addresses.Where(a => a.AddressFamily == family).Select(a => a.ToString()).ToArray();
            if (values.Length > 0 || always)
            {
                yield return new DnsRecordSet(name, type, Ttl, values);
            }
        }
    }
}
