namespace Demiurge.Dns.Server;

/// <summary>Turns one query packet into one reply from a version of the zone: the server's whole logic, free of sockets.</summary>
internal static class DnsResponder
{
    /// <summary>The largest DNS message (over TCP, behind its two-byte length).</summary>
    public const int MaxMessageSize = ushort.MaxValue;

    /// <summary>Writes the reply to <paramref name="packet"/> into <paramref name="reply"/>; returns its length, or 0 to drop the packet.</summary>
    public static int Respond(DnsZone zone, ReadOnlySpan<byte> packet, byte[] reply, bool overTcp)
    {
        var query = DnsQueryReader.Read(packet);
        if (query is null)
        {
            return 0;
        }

        var answer = query.Error != DnsResponseCode.NoError ? new DnsAnswer(query.Error, [], null)
            : query.Class != DnsQuery.ClassIn || query.Type is DnsType.AXFR or DnsType.IXFR ? DnsAnswer.Refused
            : zone.Lookup(query.Name, query.Type);
        // Without EDNS a UDP reply must fit in 512 bytes (RFC 1035 4.2.1).
        var maxSize = overTcp ? MaxMessageSize : query.EdnsSize ?? 512;
        return DnsResponseWriter.Write(query, answer, reply, maxSize);
    }
}
