using System.Buffers.Binary;

namespace Demiurge.Dns.Server;

/// <summary>Reads queries (RFC 1035 4.1, EDNS0 from RFC 6891) without ever trusting a length or a count.</summary>
internal static class DnsQueryReader
{
    public const int HeaderLength = 12;

    private const int RecordFixedLength = 10;

    /// <summary>
    /// The query in <paramref name="packet"/>, or null when it is to be dropped: shorter than a
    /// header (nothing to answer to) or itself a response (answering could start a loop between servers).
    /// </summary>
    public static DnsQuery? Read(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < HeaderLength)
        {
            return null;
        }

        var flags = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if ((flags & 0x8000) != 0)
        {
            return null;
        }

        var query = new DnsQuery(BinaryPrimitives.ReadUInt16BigEndian(packet), (flags >> 11) & 0xF, (flags & 0x0100) != 0,
            DnsResponseCode.FormErr, string.Empty, [], 0, 0, null);
        if (query.Opcode != 0)
        {
            return query with { Error = DnsResponseCode.NotImp };
        }

        var offset = HeaderLength;
        if (BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) != 1
            || !DnsName.TryRead(packet, ref offset, out var name, out var wire)
            || offset + 4 > packet.Length)
        {
            return query;
        }

        query = query with
        {
            Name = name,
            NameWire = wire,
            Type = (DnsType)BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]),
            Class = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]),
        };
        offset += 4;

        // Skip the answer and authority records a query should not have; find the OPT among the additional ones.
        var skipped = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) + BinaryPrimitives.ReadUInt16BigEndian(packet[8..]);
        var records = skipped + BinaryPrimitives.ReadUInt16BigEndian(packet[10..]);
        int? ednsSize = null;
        var ednsVersion = 0;
        for (var i = 0; i < records; i++)
        {
            if (!DnsName.TryRead(packet, ref offset, out var owner, out _) || offset + RecordFixedLength > packet.Length)
            {
                return query;
            }

            var type = (DnsType)BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
            var dataLength = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 8)..]);
            if (offset + RecordFixedLength + dataLength > packet.Length)
            {
                return query;
            }

            if (i >= skipped && type == DnsType.OPT)
            {
                // One OPT, owned by the root (RFC 6891 6.1.1).
                if (ednsSize is not null || owner.Length != 0)
                {
                    return query;
                }

                ednsSize = Math.Max(512, (int)BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]));
                ednsVersion = packet[offset + 5];
            }

            offset += RecordFixedLength + dataLength;
        }

        return query with
        {
            Error = ednsVersion == 0 ? DnsResponseCode.NoError : DnsResponseCode.BadVers,
            EdnsSize = ednsSize,
        };
    }
}
