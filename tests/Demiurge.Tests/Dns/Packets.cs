using System.Buffers.Binary;
using Demiurge.Dns.Server;

namespace Demiurge.Tests.Dns;

/// <summary>Hand-made DNS packets: valid queries, each kind of defect, and fuzz.</summary>
internal static class Packets
{
    /// <summary>A query for <paramref name="name"/>, with an OPT record when <paramref name="ednsSize"/> is given.</summary>
    public static byte[] Query(ushort id, string name, DnsType type = DnsType.A, int? ednsSize = null)
    {
        var packet = new List<byte>();
        packet.AddRange(Header(id, questions: 1, additional: ednsSize is null ? 0 : 1));
        packet.AddRange(DnsName.ToWire(name)!);
        packet.AddRange(UInt16((ushort)type));
        packet.AddRange(UInt16(1));
        if (ednsSize is { } size)
        {
            packet.AddRange(Opt(size));
        }

        return [.. packet];
    }

    /// <summary>A packet with a parseable header and the named defect in its body.</summary>
    public static byte[] Malformed(ushort id, string defect)
    {
        byte[] question = [.. DnsName.ToWire("mail.zone.test")!, 0, 1, 0, 1];
        return defect switch
        {
            "two questions" => [.. Header(id, questions: 2), .. question, .. question],
            "name past the end" => [.. Header(id, questions: 1), 4, (byte)'m', (byte)'a'],
            // A pointer to itself, and a pair pointing at each other.
            "pointer loop" => [.. Header(id, questions: 1), 3, (byte)'a', (byte)'b', (byte)'c', 0xC0, 12, 0, 1, 0, 1],
            "pointer forward" => [.. Header(id, questions: 1), 0xC0, 14, 0, 0, 1, 0, 1],
            "label too long" => [.. Header(id, questions: 1), 64, .. new byte[64], 0, 0, 1, 0, 1],
            "missing type" => [.. Header(id, questions: 1), .. DnsName.ToWire("mail.zone.test")!, 0],
            "record past the end" => [.. Header(id, questions: 1, additional: 1), .. question, 0, 0, 41, 16, 0, 0, 0, 0, 0, 0, 200],
            "two OPT records" => [.. Header(id, questions: 1, additional: 2), .. question, .. Opt(1232), .. Opt(1232)],
            _ => throw new ArgumentOutOfRangeException(nameof(defect), defect, null),
        };
    }

    /// <summary>
    /// Random bytes of random lengths, and valid queries with bytes flipped, cut, or with
    /// compression pointers and counts rewritten: what a fuzzer would try first.
    /// </summary>
    public static IEnumerable<byte[]> Fuzz(Random random, int count, string name)
    {
        var valid = Query(0, name, DnsType.A, ednsSize: 4096);
        for (var i = 0; i < count; i++)
        {
            switch (i % 4)
            {
                case 0:
                    var bytes = new byte[random.Next(0, 600)];
                    random.NextBytes(bytes);
                    yield return bytes;
                    break;
                case 1:
                    var flipped = (byte[])valid.Clone();
                    for (var flips = random.Next(1, 6); flips > 0; flips--)
                    {
                        flipped[random.Next(flipped.Length)] = (byte)random.Next(256);
                    }

                    yield return flipped;
                    break;
                case 2:
                    yield return valid[..random.Next(0, valid.Length)];
                    break;
                default:
                    var pointed = (byte[])valid.Clone();
                    var at = random.Next(4, pointed.Length - 1);
                    pointed[at] = (byte)(0xC0 | random.Next(0x40));
                    pointed[at + 1] = (byte)random.Next(256);
                    pointed[2] &= 0x7F;
                    yield return pointed;
                    break;
            }
        }
    }

    private static byte[] Header(ushort id, int questions, int additional = 0) =>
        [.. UInt16(id), 0x01, 0x00, .. UInt16((ushort)questions), 0, 0, 0, 0, .. UInt16((ushort)additional)];

    private static byte[] Opt(int size) => [0, .. UInt16((ushort)DnsType.OPT), .. UInt16((ushort)size), 0, 0, 0, 0, 0, 0];

    private static byte[] UInt16(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }
}
