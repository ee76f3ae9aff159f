using System.Buffers.Binary;

namespace Demiurge.Dns.Server;

/// <summary>
/// Writes a reply (RFC 1035 4.1) with name compression. A reply larger than the client can take
/// is written again as header, question and OPT with TC set, so that the client asks over TCP
/// (RFC 2181 9).
/// </summary>
internal sealed class DnsResponseWriter
{
    /// <summary>The UDP payload size this server advertises (the DNS flag day 2020 value, safe from fragmentation).</summary>
    public const int ServerUdpSize = 1232;

    private const int MaxPointer = 0x3FFF;

    // Each serving thread reuses its own table: a reply is written on one thread, start to end.
    [ThreadStatic]
    private static Dictionary<string, int>? t_names;

    private readonly byte[] _buffer;
    private readonly Dictionary<string, int> _names;
    private int _length;
    private bool _overflow;

    private DnsResponseWriter(byte[] buffer)
    {
        _buffer = buffer;
        _names = t_names ??= new Dictionary<string, int>(StringComparer.Ordinal);
        _names.Clear();
    }

    /// <summary>Writes the reply into <paramref name="buffer"/> and returns its length, at most <paramref name="maxSize"/>.</summary>
    public static int Write(DnsQuery query, DnsAnswer answer, byte[] buffer, int maxSize)
    {
        var length = new DnsResponseWriter(buffer).WriteMessage(query, answer, truncated: false);
        return length <= maxSize ? length : new DnsResponseWriter(buffer).WriteMessage(query, answer, truncated: true);
    }

    private int WriteMessage(DnsQuery query, DnsAnswer answer, bool truncated)
    {
        var hasQuestion = query.NameWire.Length > 0;
        var answers = truncated ? [] : answer.Answers;
        var authority = truncated ? null : answer.Authority;
        var flags = 0x8000 | (query.Opcode << 11) | ((int)answer.Code & 0xF);
        flags |= answer.Code is DnsResponseCode.NoError or DnsResponseCode.NxDomain ? 0x0400 : 0;
        flags |= truncated ? 0x0200 : 0;
        flags |= query.RecursionDesired ? 0x0100 : 0;
        var answerCount = 0;
        foreach (var set in answers)
        {
            answerCount += set.Set.Records.Count;
        }

        WriteUInt16(query.Id);
        WriteUInt16((ushort)flags);
        WriteUInt16((ushort)(hasQuestion ? 1 : 0));
        WriteUInt16((ushort)answerCount);
        WriteUInt16((ushort)(authority?.Set.Records.Count ?? 0));
        WriteUInt16((ushort)(query.EdnsSize is null ? 0 : 1));

        if (hasQuestion)
        {
            WriteQuestion(query);
        }

        foreach (var set in answers)
        {
            WriteRecordSet(set);
        }

        if (authority is not null)
        {
            WriteRecordSet(authority);
        }

        if (query.EdnsSize is not null)
        {
            // OPT: root owner, our payload size as the class, extended rcode and version 0 as the TTL.
            WriteByte(0);
            WriteUInt16((ushort)DnsType.OPT);
            WriteUInt16(ServerUdpSize);
            WriteUInt32((uint)((int)answer.Code >> 4) << 24);
            WriteUInt16(0);
        }

        return _overflow ? int.MaxValue : _length;
    }

    // The name is echoed as sent, and each of its suffixes is remembered for compression.
    private void WriteQuestion(DnsQuery query)
    {
        var start = _length;
        WriteBytes(query.NameWire);
        var position = start;
        for (var suffix = query.Name; suffix.Length > 0 && position <= MaxPointer; suffix = DnsName.Parent(suffix))
        {
            _names.TryAdd(suffix, position);
            position += 1 + query.NameWire[position - start];
        }

        WriteUInt16((ushort)query.Type);
        WriteUInt16(query.Class);
    }

    private void WriteRecordSet(OwnedRecordSet owned)
    {
        foreach (var record in owned.Set.Records)
        {
            WriteName(owned.Owner);
            WriteUInt16((ushort)owned.Set.Type);
            WriteUInt16(DnsQuery.ClassIn);
            WriteUInt32(owned.Set.Ttl);
            var lengthAt = _length;
            WriteUInt16(0);
            foreach (var name in record.Names)
            {
                WriteName(name);
            }

            WriteBytes(record.Bytes);
            if (!_overflow)
            {
                BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(lengthAt), (ushort)(_length - lengthAt - 2));
            }
        }
    }

    // A presentation name of the zone (plain labels), or the question's name, which is always found whole.
    private void WriteName(string name)
    {
        for (var suffix = name; suffix.Length > 0; suffix = DnsName.Parent(suffix))
        {
            if (_names.TryGetValue(suffix, out var pointer))
            {
                WriteUInt16((ushort)(0xC000 | pointer));
                return;
            }

            if (_length <= MaxPointer)
            {
                _names[suffix] = _length;
            }

            var dot = suffix.IndexOf('.', StringComparison.Ordinal);
            var label = dot < 0 ? suffix : suffix[..dot];
            WriteByte((byte)label.Length);
            foreach (var c in label)
            {
                WriteByte((byte)c);
            }
        }

        WriteByte(0);
    }

    private void WriteByte(byte value) => WriteBytes([value]);

    private void WriteUInt16(ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        WriteBytes(bytes);
    }

    private void WriteUInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        WriteBytes(bytes);
    }

    // Past the end of the buffer nothing more is written; the caller sees the overflow and truncates.
    private void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (_overflow || _length + bytes.Length > _buffer.Length)
        {
            _overflow = true;
            return;
        }

        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }
}
