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

        var id = BinaryPrimitives.ReadUInt16BigEndian(packet);
        var opcode = (flags >> 11) & 0xF;
        var recursionDesired = (flags & 0x0100) != 0;
        DnsQuery Query(DnsResponseCode error, string name = "", byte[]? wire = null, DnsType type = 0, ushort @class = 0, int? ednsSize = null) =>
            new(id, opcode, recursionDesired, error, name, wire ?? [], type, @class, ednsSize);

        if (opcode != 0)
        {
            return Query(DnsResponseCode.NotImp);
        }

        var offset = HeaderLength;
        if (BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) != 1
            || !DnsName.TryRead(packet, ref offset, out var name, out var wire)
            || offset + 4 > packet.Length)
        {
            return Query(DnsResponseCode.FormErr);
        }

        var type = (DnsType)BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
        var @class = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
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
                return Query(DnsResponseCode.FormErr, name, wire, type, @class);
            }

            var recordType = (DnsType)BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
            var dataLength = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 8)..]);
            if (offset + RecordFixedLength + dataLength > packet.Length
                // One OPT, owned by the root (RFC 6891 6.1.1).
                || (i >= skipped && recordType == DnsType.OPT && (ednsSize is not null || owner.Length != 0)))
            {
                return Query(DnsResponseCode.FormErr, name, wire, type, @class);
            }

            if (i >= skipped && recordType == DnsType.OPT)
            {
                ednsSize = Math.Max(512, (int)BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]));
                ednsVersion = packet[offset + 5];
            }

            offset += RecordFixedLength + dataLength;
        }

        return Query(ednsVersion == 0 ? DnsResponseCode.NoError : DnsResponseCode.BadVers, name, wire, type, @class, ednsSize);
    }
}
