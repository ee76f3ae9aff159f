namespace Demiurge.Dns.Server;

/// <summary>The record types the server knows (RFC 1035, 3596, 6891); others get NODATA or NXDOMAIN.</summary>
internal enum DnsType : ushort
{
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    TXT = 16,
    AAAA = 28,
    OPT = 41,
    IXFR = 251,
    AXFR = 252,
    ANY = 255,
}
