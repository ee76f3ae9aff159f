using System.Buffers;
using System.Buffers.Binary;
using System.Collections;
using System.Numerics;
using System.Text;

namespace Demiurge.Yjs;

/// <summary>
/// Writes lib0's binary encoding into a growing buffer. The output is what lib0's <c>encoding</c> module
/// writes for the same values, so that Yjs clients read it unchanged.
/// </summary>
public sealed class Lib0Writer
{
    private readonly ArrayBufferWriter<byte> _buffer;

    /// <summary>Creates a writer with room for <paramref name="initialCapacity"/> bytes before it grows.</summary>
    public Lib0Writer(int initialCapacity = 256)
    {
        _buffer = new ArrayBufferWriter<byte>(Math.Max(initialCapacity, 1));
    }

    /// <summary>How many bytes have been written.</summary>
    public int Length => _buffer.WrittenCount;

    /// <summary>The bytes written so far; valid until the next write.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    /// <summary>The bytes written so far; valid until the next write.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.WrittenMemory;

    /// <summary>Copies the bytes written so far into a new array.</summary>
    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    /// <summary>Forgets what was written and keeps the buffer for reuse.</summary>
    public void Clear() => _buffer.ResetWrittenCount();

    /// <summary>Writes one byte.</summary>
    public void WriteUint8(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    /// <summary>Writes bytes as they are, without a length.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        _buffer.Write(bytes);
    }

    /// <summary>Writes an unsigned integer of up to 53 bits, 7 bits a byte.</summary>
    public void WriteVarUint(ulong value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Lib0Reader.MaxSafeInteger);
        var span = _buffer.GetSpan(8);
        var i = 0;
        while (value > 0x7F)
        {
            span[i++] = (byte)(0x80 | (value & 0x7F));
            value >>= 7;
        }
        span[i++] = (byte)value;
        _buffer.Advance(i);
    }

    /// <summary>Writes a signed integer of up to 53 bits of magnitude in lib0's form (sign in the first byte).</summary>
    public void WriteVarInt(long value) => WriteVarInt(value, value < 0);

    /// <summary>Writes a signed integer; <paramref name="negative"/> with 0 writes −0.</summary>
    public void WriteVarInt(long value, bool negative)
    {
        var magnitude = value < 0 ? (ulong)-value : (ulong)value;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(magnitude, Lib0Reader.MaxSafeInteger, nameof(value));
        var span = _buffer.GetSpan(8);
        var i = 0;
        span[i++] = (byte)((magnitude > 0x3F ? 0x80 : 0) | (negative ? 0x40 : 0) | (int)(magnitude & 0x3F));
        magnitude >>= 6;
        while (magnitude > 0)
        {
            span[i++] = (byte)((magnitude > 0x7F ? 0x80 : 0) | (int)(magnitude & 0x7F));
            magnitude >>= 7;
        }
        _buffer.Advance(i);
    }

    /// <summary>Writes a byte array prefixed with its length.</summary>
    public void WriteVarUint8Array(ReadOnlySpan<byte> bytes)
    {
        WriteVarUint((ulong)bytes.Length);
        _buffer.Write(bytes);
    }

    /// <summary>Writes a string as UTF-8 prefixed with its byte length; a lone surrogate becomes U+FFFD, as in JavaScript.</summary>
    public void WriteVarString(ReadOnlySpan<char> value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteVarUint((ulong)byteCount);
        var written = Encoding.UTF8.GetBytes(value, _buffer.GetSpan(byteCount));
        _buffer.Advance(written);
    }

    /// <summary>Writes a string that is already UTF-8, prefixed with its byte length.</summary>
    public void WriteVarStringUtf8(ReadOnlySpan<byte> utf8) => WriteVarUint8Array(utf8);

    /// <summary>Writes a big-endian 32-bit float.</summary>
    public void WriteFloat32(float value)
    {
        BinaryPrimitives.WriteSingleBigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    /// <summary>Writes a big-endian 64-bit float.</summary>
    public void WriteFloat64(double value)
    {
        BinaryPrimitives.WriteDoubleBigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    /// <summary>Writes a big-endian signed 64-bit integer.</summary>
    public void WriteBigInt64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    /// <summary>
    /// Writes an <c>any</c> value as lib0's <c>writeAny</c> does. CLR numbers are JavaScript numbers: an integer
    /// of up to 31 bits is a var int, a value a float32 holds exactly is a float32, anything else a float64.
    /// A <see cref="BigInteger"/> is a BigInt; dictionaries with string keys are objects; other sequences are arrays.
    /// </summary>
    public void WriteAny(object? value) => WriteAny(value, 0);

    private void WriteAny(object? value, int depth)
    {
        switch (value)
        {
            case null:
                WriteUint8(Lib0AnyTag.Null);
                break;
            case Lib0Undefined:
                WriteUint8(Lib0AnyTag.Undefined);
                break;
            case bool b:
                WriteUint8(b ? Lib0AnyTag.True : Lib0AnyTag.False);
                break;
            case string s:
                WriteUint8(Lib0AnyTag.String);
                WriteVarString(s);
                break;
            case BigInteger big:
                WriteUint8(Lib0AnyTag.BigInt);
                WriteBigInt64((long)big);
                break;
            case byte[] bytes:
                WriteUint8(Lib0AnyTag.Bytes);
                WriteVarUint8Array(bytes);
                break;
            case sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal:
                WriteNumber(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case IEnumerable<KeyValuePair<string, object?>> map:
                CheckDepth(depth);
                WriteUint8(Lib0AnyTag.Object);
                WriteVarUint((ulong)map.Count());
                foreach (var (key, item) in map)
                {
                    WriteVarString(key);
                    WriteAny(item, depth + 1);
                }
                break;
            case IEnumerable sequence:
                CheckDepth(depth);
                var items = sequence.Cast<object?>().ToList();
                WriteUint8(Lib0AnyTag.Array);
                WriteVarUint((ulong)items.Count);
                foreach (var item in items)
                {
                    WriteAny(item, depth + 1);
                }
                break;
            default:
                throw new ArgumentException($"{value.GetType()} has no lib0 any encoding.", nameof(value));
        }
    }

    private void WriteNumber(double number)
    {
        if (double.IsInteger(number) && Math.Abs(number) <= int.MaxValue)
        {
            WriteUint8(Lib0AnyTag.Integer);
            WriteVarInt((long)number, number < 0 || double.IsNegative(number));
        }
        else if ((double)(float)number == number)
        {
            WriteUint8(Lib0AnyTag.Float32);
            WriteFloat32((float)number);
        }
        else
        {
            WriteUint8(Lib0AnyTag.Float64);
            WriteFloat64(number);
        }
    }

    private static void CheckDepth(int depth)
    {
        if (depth >= Lib0Reader.MaxAnyDepth)
        {
            throw new ArgumentException($"The value nests deeper than {Lib0Reader.MaxAnyDepth} levels.");
        }
    }
}
