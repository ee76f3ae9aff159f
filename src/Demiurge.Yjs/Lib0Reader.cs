using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace Demiurge.Yjs;

/// <summary>
/// Reads lib0's binary encoding (the encoding Yjs and y-protocols use) from a span, without allocating
/// except where a method returns a string or an object. Every length is checked against what remains,
/// and every malformed input throws <see cref="YjsFormatException"/>.
/// </summary>
public ref struct Lib0Reader
{
    /// <summary>The largest integer lib0 writes: 2^53 − 1, JavaScript's largest safe integer.</summary>
    public const ulong MaxSafeInteger = (1UL << 53) - 1;

    /// <summary>How deeply arrays and objects may nest inside one <c>any</c> value.</summary>
    public const int MaxAnyDepth = 256;

    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    /// <summary>Starts reading at the first byte of <paramref name="buffer"/>.</summary>
    public Lib0Reader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>The offset of the next byte to read.</summary>
    public readonly int Position => _position;

    /// <summary>How many bytes remain.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>Whether every byte has been read.</summary>
    public readonly bool IsAtEnd => _position >= _buffer.Length;

    /// <summary>Reads one byte.</summary>
    public byte ReadUint8()
    {
        if (_position >= _buffer.Length)
        {
            throw Truncated();
        }
        return _buffer[_position++];
    }

    /// <summary>Reads an unsigned integer of up to 53 bits, 7 bits a byte, least significant first.</summary>
    public ulong ReadVarUint()
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = ReadUint8();
            // The eighth byte holds bits 49 to 55; only four of them fit in 53 bits, and it must be the last.
            if (shift == 49 && b > 0x0F)
            {
                throw new YjsFormatException("A variable-length unsigned integer exceeds 53 bits.");
            }
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    /// <summary>Reads an unsigned integer that must fit in an <see cref="int"/> (a length or a count).</summary>
    public int ReadVarUintAsInt32()
    {
        var value = ReadVarUint();
        if (value > int.MaxValue)
        {
            throw new YjsFormatException("A length exceeds the supported range.");
        }
        return (int)value;
    }

    /// <summary>Reads a signed integer in lib0's form: the first byte carries a sign bit and 6 bits of magnitude.</summary>
    public long ReadVarInt() => ReadVarInt(out _);

    /// <summary>Reads a signed integer; <paramref name="negative"/> tells −0 apart from 0.</summary>
    public long ReadVarInt(out bool negative)
    {
        var b = ReadUint8();
        ulong magnitude = (ulong)(b & 0x3F);
        negative = (b & 0x40) != 0;
        for (var shift = 6; b >= 0x80; shift += 7)
        {
            b = ReadUint8();
            // The byte at bit 48 holds the last five bits a 53-bit magnitude has, and must be the last.
            if (shift == 48 && b > 0x1F)
            {
                throw new YjsFormatException("A variable-length signed integer exceeds 53 bits.");
            }
            magnitude |= (ulong)(b & 0x7F) << shift;
        }
        return negative ? -(long)magnitude : (long)magnitude;
    }

    /// <summary>Reads <paramref name="count"/> bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes(ulong count)
    {
        if (count > (ulong)Remaining)
        {
            throw new YjsFormatException($"A length of {count} bytes exceeds the {Remaining} that remain.");
        }
        var bytes = _buffer.Slice(_position, (int)count);
        _position += (int)count;
        return bytes;
    }

    /// <summary>Reads a byte array prefixed with its length.</summary>
    public ReadOnlySpan<byte> ReadVarUint8Array() => ReadBytes(ReadVarUint());

    /// <summary>Reads a string prefixed with its UTF-8 length and returns its bytes, which must be valid UTF-8.</summary>
    public ReadOnlySpan<byte> ReadVarStringUtf8()
    {
        var bytes = ReadVarUint8Array();
        if (!Utf8.IsValid(bytes))
        {
            throw new YjsFormatException("A string is not valid UTF-8.");
        }
        return bytes;
    }

    /// <summary>Reads a string prefixed with its UTF-8 length.</summary>
    public string ReadVarString() => Encoding.UTF8.GetString(ReadVarStringUtf8());

    /// <summary>Reads a big-endian 32-bit float.</summary>
    public float ReadFloat32() => BinaryPrimitives.ReadSingleBigEndian(ReadBytes(4));

    /// <summary>Reads a big-endian 64-bit float.</summary>
    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8));

    /// <summary>Reads a big-endian signed 64-bit integer (a JavaScript BigInt).</summary>
    public long ReadBigInt64() => BinaryPrimitives.ReadInt64BigEndian(ReadBytes(8));

    /// <summary>Checks one <c>any</c> value and returns its encoded bytes, tag included.</summary>
    public ReadOnlySpan<byte> ReadAnyBytes()
    {
        var start = _position;
        SkipAny(0);
        return _buffer[start.._position];
    }

    /// <summary>
    /// Reads one <c>any</c> value: <see langword="null"/>, <see cref="Lib0Undefined.Value"/>, <see cref="bool"/>,
    /// <see cref="long"/> (integers), <see cref="float"/>, <see cref="double"/>, <see cref="System.Numerics.BigInteger"/>,
    /// <see cref="string"/>, <see cref="byte"/>[], <see cref="List{T}"/> of values or <see cref="Dictionary{TKey, TValue}"/>
    /// of string keys (a repeated key keeps its last value, as in JavaScript).
    /// </summary>
    public object? ReadAny() => ReadAny(0);

    private object? ReadAny(int depth)
    {
        var tag = ReadUint8();
        switch (tag)
        {
            case Lib0AnyTag.Undefined: return Lib0Undefined.Value;
            case Lib0AnyTag.Null: return null;
            case Lib0AnyTag.Integer: return ReadVarInt();
            case Lib0AnyTag.Float32: return ReadFloat32();
            case Lib0AnyTag.Float64: return ReadFloat64();
            case Lib0AnyTag.BigInt: return new System.Numerics.BigInteger(ReadBigInt64());
            case Lib0AnyTag.False: return false;
            case Lib0AnyTag.True: return true;
            case Lib0AnyTag.String: return ReadVarString();
            case Lib0AnyTag.Object:
                {
                    CheckDepth(depth);
                    var count = ReadVarUint();
                    var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                    for (ulong i = 0; i < count; i++)
                    {
                        var key = ReadVarString();
                        map[key] = ReadAny(depth + 1);
                    }
                    return map;
                }
            case Lib0AnyTag.Array:
                {
                    CheckDepth(depth);
                    var count = ReadVarUint();
                    var list = new List<object?>((int)Math.Min(count, (ulong)Remaining));
                    for (ulong i = 0; i < count; i++)
                    {
                        list.Add(ReadAny(depth + 1));
                    }
                    return list;
                }
            case Lib0AnyTag.Bytes: return ReadVarUint8Array().ToArray();
            default: throw UnknownAnyTag(tag);
        }
    }

    private void SkipAny(int depth)
    {
        var tag = ReadUint8();
        switch (tag)
        {
            case Lib0AnyTag.Undefined or Lib0AnyTag.Null or Lib0AnyTag.False or Lib0AnyTag.True:
                return;
            case Lib0AnyTag.Integer:
                ReadVarInt();
                return;
            case Lib0AnyTag.Float32:
                ReadBytes(4);
                return;
            case Lib0AnyTag.Float64 or Lib0AnyTag.BigInt:
                ReadBytes(8);
                return;
            case Lib0AnyTag.String:
                ReadVarStringUtf8();
                return;
            case Lib0AnyTag.Object:
                {
                    CheckDepth(depth);
                    var count = ReadVarUint();
                    // Each entry takes at least two bytes, so a forged count ends at the end of the input.
                    for (ulong i = 0; i < count; i++)
                    {
                        ReadVarStringUtf8();
                        SkipAny(depth + 1);
                    }
                    return;
                }
            case Lib0AnyTag.Array:
                {
                    CheckDepth(depth);
                    var count = ReadVarUint();
                    for (ulong i = 0; i < count; i++)
                    {
                        SkipAny(depth + 1);
                    }
                    return;
                }
            case Lib0AnyTag.Bytes:
                ReadVarUint8Array();
                return;
            default:
                throw UnknownAnyTag(tag);
        }
    }

    private static void CheckDepth(int depth)
    {
        if (depth >= MaxAnyDepth)
        {
            throw new YjsFormatException($"An any value nests deeper than {MaxAnyDepth} levels.");
        }
    }

    private static YjsFormatException UnknownAnyTag(byte tag) => new($"Unknown any tag {tag}.");

    private readonly YjsFormatException Truncated() => new($"Unexpected end of input at byte {_position}.");
}
