namespace Demiurge.Dns.Server;

/// <summary>
/// One record's RDATA, encoded once when the zone changes rather than per query: the names it
/// starts with (written with compression, as RFC 1035 allows for CNAME, NS and SOA), then bytes.
/// </summary>
internal sealed record DnsRecordData(IReadOnlyList<string> Names, byte[] Bytes)
{
    public static DnsRecordData Raw(byte[] bytes) => new([], bytes);

    public static DnsRecordData Name(string name) => new([name], []);
}
