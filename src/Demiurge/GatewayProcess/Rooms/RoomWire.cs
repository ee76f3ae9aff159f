using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Demiurge.GatewayProcess.Rooms;

/// <summary>
/// The lib0 encoding the y-websocket protocol frames its messages with: unsigned LEB128 integers
/// (<c>varUint</c>), byte arrays prefixed by their length (<c>varUint8Array</c>) and UTF-8 strings
/// the same way (<c>varString</c>). Only what the room's framing needs; <c>Demiurge.Yjs</c> has the
/// codec's own reader and writer, which the lead may later use here instead.
/// </summary>
internal static class RoomWire
{
    /// <summary>Longest varUint lib0 writes for a 53-bit integer (JavaScript's safe range).</summary>
    private const int MaxVarUintBytes = 8;

    /// <summary>Reads a varUint at <paramref name="position"/>; false when it is cut short or longer than a safe integer.</summary>
    public static bool TryReadVarUint(ReadOnlySpan<byte> source, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < MaxVarUintBytes * 7; shift += 7)
        {
            if (position >= source.Length)
            {
                return false;
            }

            var b = source[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value <= (1UL << 53) - 1;
            }
        }

        return false;
    }

    /// <summary>Reads a varUint8Array: the bytes, without copying.</summary>
    public static bool TryReadVarBytes(ReadOnlySpan<byte> source, ref int position, out Range bytes)
    {
        bytes = default;
        if (!TryReadVarUint(source, ref position, out var length) || length > (ulong)(source.Length - position))
        {
            return false;
        }

        bytes = new Range(position, position + (int)length);
        position += (int)length;
        return true;
    }

    /// <summary>Reads a varString, which must be UTF-8.</summary>
    public static bool TryReadVarString(ReadOnlySpan<byte> source, ref int position, out string value)
    {
        value = string.Empty;
        if (!TryReadVarBytes(source, ref position, out var bytes) || !Utf8.IsValid(source[bytes]))
        {
            return false;
        }

        value = Encoding.UTF8.GetString(source[bytes]);
        return true;
    }

    public static void WriteVarUint(IBufferWriter<byte> writer, ulong value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var span = writer.GetSpan(10);
        var count = 0;
        while (value >= 0x80)
        {
            span[count++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[count++] = (byte)value;
        writer.Advance(count);
    }

    public static void WriteVarBytes(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        WriteVarUint(writer, (ulong)bytes.Length);
        writer.Write(bytes);
    }

    public static void WriteVarString(IBufferWriter<byte> writer, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        WriteVarBytes(writer, Encoding.UTF8.GetBytes(value));
    }
}
