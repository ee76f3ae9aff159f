using System.Globalization;

namespace Demiurge.Dns.Server;

/// <summary>
/// Domain names between the wire (length-prefixed labels, RFC 1035 3.1) and the lower-case
/// presentation form the zone is keyed by (<c>org-x.demiurge.localhost</c>, root is empty).
/// </summary>
/// <remarks>
/// Bytes other than printable ASCII, and the dot and backslash inside a label, are written as
/// <c>\DDD</c>, so a dot in the presentation form always separates labels: a name whose label
/// holds a dot can never pass for a name of the zone.
/// </remarks>
internal static class DnsName
{
    public const int MaxWireLength = 255;

    private const int MaxLabelLength = 63;

    /// <summary>
    /// Reads the name at <paramref name="offset"/>, following compression pointers, and moves
    /// <paramref name="offset"/> past it. <paramref name="wire"/> receives the name uncompressed,
    /// in its original case. False for anything malformed: out-of-bounds labels, reserved label
    /// types, names over 255 bytes, and pointer loops.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> message, ref int offset, out string name, out byte[] wire)
    {
        name = string.Empty;
        wire = [];
        Span<byte> labels = stackalloc byte[MaxWireLength];
        var length = 0;
        var position = offset;
        int? end = null;
        // Each pointer must point before the previous one (or before itself, for the first):
        // positions strictly decrease at every jump, so no loop can last.
        var limit = position;
        while (true)
        {
            if (position >= message.Length)
            {
                return false;
            }

            var size = message[position];
            if (size == 0)
            {
                end ??= position + 1;
                break;
            }

            if ((size & 0xC0) == 0xC0)
            {
                if (position + 1 >= message.Length)
                {
                    return false;
                }

                var target = ((size & 0x3F) << 8) | message[position + 1];
                if (target >= limit)
                {
                    return false;
                }

                end ??= position + 2;
                limit = position = target;
                continue;
            }

            if (size > MaxLabelLength || position + 1 + size > message.Length || length + 1 + size + 1 > MaxWireLength)
            {
                return false;
            }

            message.Slice(position, 1 + size).CopyTo(labels[length..]);
            length += 1 + size;
            position += 1 + size;
        }

        labels[length++] = 0;
        offset = end.Value;
        wire = labels[..length].ToArray();
        name = ToPresentation(wire);
        return true;
    }

    /// <summary>
    /// The wire form of a zone's name (printable ASCII without escapes, as the store and the
    /// settings hold them), or null when it is not a valid name.
    /// </summary>
    public static byte[]? ToWire(string name)
    {
        var wire = new List<byte>(name.Length + 2);
        foreach (var label in Labels(name))
        {
            if (label.Length is 0 or > MaxLabelLength || label.Any(c => c is <= ' ' or >= (char)0x7F or '\\'))
            {
                return null;
            }

            wire.Add((byte)label.Length);
            wire.AddRange(label.Select(c => (byte)char.ToLowerInvariant(c)));
        }

        wire.Add(0);
        return wire.Count <= MaxWireLength ? [.. wire] : null;
    }

    /// <summary>The lower-case presentation form of a wire name without pointers.</summary>
    public static string ToPresentation(ReadOnlySpan<byte> wire)
    {
        // At most four characters (\DDD) per byte of a 255-byte name.
        Span<char> text = stackalloc char[4 * MaxWireLength];
        var length = 0;
        for (var position = 0; wire[position] != 0; position += 1 + wire[position])
        {
            if (position > 0)
            {
                text[length++] = '.';
            }

            foreach (var b in wire.Slice(position + 1, wire[position]))
            {
                if (b is > 0x20 and < 0x7F and not (byte)'.' and not (byte)'\\')
                {
                    text[length++] = char.ToLowerInvariant((char)b);
                }
                else
                {
                    text[length++] = '\\';
                    b.TryFormat(text[length..], out _, "D3", CultureInfo.InvariantCulture);
                    length += 3;
                }
            }
        }

        return new string(text[..length]);
    }

    /// <summary>The labels of a presentation name, none for the root.</summary>
    public static string[] Labels(string name) => name.Length == 0 ? [] : name.Split('.');

    /// <summary>The name without its first label; the root has no parent.</summary>
    public static string Parent(string name)
    {
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? string.Empty : name[(dot + 1)..];
    }

    /// <summary>Whether <paramref name="name"/> is <paramref name="origin"/> or below it.</summary>
    public static bool IsAtOrBelow(string name, string origin) =>
        origin.Length == 0 || name == origin || name.EndsWith("." + origin, StringComparison.Ordinal);
}
