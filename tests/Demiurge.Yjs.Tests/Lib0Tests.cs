using System.Numerics;

namespace Demiurge.Yjs.Tests;

public sealed class Lib0Tests
{
    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(127UL, "7F")]
    [InlineData(128UL, "8001")]
    [InlineData(300UL, "AC02")]
    [InlineData(4294967295UL, "FFFFFFFF0F")]
    [InlineData(9007199254740991UL, "FFFFFFFFFFFFFF0F")]
    public void VarUint_RoundTrip_WritesLib0Bytes(ulong value, string hex)
    {
        var writer = new Lib0Writer();
        writer.WriteVarUint(value);
        Assert.Equal(hex, Convert.ToHexString(writer.WrittenSpan));
        var reader = new Lib0Reader(writer.WrittenSpan);
        Assert.Equal(value, reader.ReadVarUint());
        Assert.True(reader.IsAtEnd);
    }

    [Theory]
    [InlineData(0L, false, "00")]
    [InlineData(0L, true, "40")]
    [InlineData(-1L, true, "41")]
    [InlineData(63L, false, "3F")]
    [InlineData(64L, false, "8001")]
    [InlineData(-64L, true, "C001")]
    [InlineData(-9007199254740991L, true, "FFFFFFFFFFFFFF1F")]
    public void VarInt_RoundTrip_KeepsSignAndNegativeZero(long value, bool negative, string hex)
    {
        var writer = new Lib0Writer();
        writer.WriteVarInt(value, negative);
        Assert.Equal(hex, Convert.ToHexString(writer.WrittenSpan));
        var reader = new Lib0Reader(writer.WrittenSpan);
        Assert.Equal(value, reader.ReadVarInt(out var readNegative));
        Assert.Equal(negative, readNegative);
    }

    [Theory]
    [InlineData("FFFFFFFFFFFFFF10")] // 2^53
    [InlineData("FFFFFFFFFFFFFFFF7F")] // 2^63 − 1
    [InlineData("80808080808080808080808000")] // an endless-looking chain of continuation bytes
    [InlineData("80")] // truncated
    [InlineData("")]
    public void ReadVarUint_OutOfRangeOrTruncated_Throws(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.Throws<YjsFormatException>(() => new Lib0Reader(bytes).ReadVarUint());
    }

    [Theory]
    [InlineData("FFFFFFFFFFFFFF20")]
    [InlineData("C0")]
    public void ReadVarInt_OutOfRangeOrTruncated_Throws(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.Throws<YjsFormatException>(() => new Lib0Reader(bytes).ReadVarInt());
    }

    [Fact]
    public void WriteVarUint_Beyond53Bits_Refuses()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Lib0Writer().WriteVarUint(1UL << 53));
    }

    [Fact]
    public void VarString_RoundTrip_KeepsUtf16AndReplacesLoneSurrogates()
    {
        var writer = new Lib0Writer();
        writer.WriteVarString("a😀é");
        writer.WriteVarString("x\uD83D");
        var reader = new Lib0Reader(writer.WrittenSpan);
        Assert.Equal("a😀é", reader.ReadVarString());
        // JavaScript's TextEncoder writes a lone surrogate as U+FFFD.
        Assert.Equal("x\uFFFD", reader.ReadVarString());
        Assert.True(reader.IsAtEnd);
    }

    [Theory]
    [InlineData("01FF")] // not UTF-8
    [InlineData("02C3")] // length beyond the input
    [InlineData("FFFFFFFF0F41")] // 4 GiB announced, one byte present
    public void ReadVarString_InvalidOrTooLong_Throws(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.Throws<YjsFormatException>(() => new Lib0Reader(bytes).ReadVarString());
    }

    [Theory]
    [InlineData(1, "7D01")]
    [InlineData(-5, "7D45")]
    [InlineData(0.5, "7C3F000000")]
    [InlineData(2147483648.0, "7C4F000000")] // beyond 31 bits but exact in a float32, as lib0 chooses
    [InlineData(1.1, "7B3FF199999999999A")]
    [InlineData("a", "770161")]
    [InlineData(true, "78")]
    [InlineData(false, "79")]
    [InlineData(null, "7E")]
    public void WriteAny_Scalars_WritesLib0Bytes(object? value, string hex)
    {
        var writer = new Lib0Writer();
        writer.WriteAny(value);
        Assert.Equal(hex, Convert.ToHexString(writer.WrittenSpan));
    }

    [Fact]
    public void Any_RoundTrip_KeepsEveryKind()
    {
        var value = new Dictionary<string, object?>
        {
            ["int"] = 42L,
            ["float"] = 0.25f,
            ["double"] = 1.1,
            ["big"] = new BigInteger(long.MaxValue),
            ["text"] = "中文",
            ["bytes"] = new byte[] { 1, 2 },
            ["list"] = new List<object?> { true, null, Lib0Undefined.Value },
        };
        var writer = new Lib0Writer();
        writer.WriteAny(value);
        var reader = new Lib0Reader(writer.WrittenSpan);
        var read = Assert.IsType<Dictionary<string, object?>>(reader.ReadAny());
        Assert.True(reader.IsAtEnd);
        Assert.Equal(42L, read["int"]);
        Assert.Equal(0.25f, read["float"]);
        Assert.Equal(1.1, read["double"]);
        Assert.Equal(new BigInteger(long.MaxValue), read["big"]);
        Assert.Equal("中文", read["text"]);
        Assert.Equal(new byte[] { 1, 2 }, read["bytes"]);
        Assert.Equal(new object?[] { true, null, Lib0Undefined.Value }, Assert.IsType<List<object?>>(read["list"]));
        Assert.Equal(writer.WrittenSpan.ToArray(), new Lib0Reader(writer.WrittenSpan).ReadAnyBytes().ToArray());
    }

    [Theory]
    [InlineData("00")] // tag 0
    [InlineData("73")] // 115, just below the tags
    [InlineData("80")] // 128, just above
    [InlineData("7C0000")] // a float32 cut short
    [InlineData("7503")] // an array of three, none present
    [InlineData("75FFFFFFFF0F")] // an array of 2^32 − 1, none present
    [InlineData("750177")] // a string in an array, cut short
    [InlineData("760178")] // an object whose key is cut short
    public void ReadAny_Malformed_Throws(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.Throws<YjsFormatException>(() => new Lib0Reader(bytes).ReadAnyBytes());
        Assert.Throws<YjsFormatException>(() => new Lib0Reader(bytes).ReadAny());
    }

    [Fact]
    public void ReadAny_NestedTooDeep_ThrowsInsteadOfOverflowingTheStack()
    {
        var bytes = new byte[100_000];
        for (var i = 0; i < bytes.Length; i += 2)
        {
            bytes[i] = 117; // an array…
            bytes[i + 1] = 1; // …of one element, again and again
        }
        Assert.Throws<YjsFormatException>(() => new Lib0Reader(bytes).ReadAnyBytes());
        Assert.Throws<YjsFormatException>(() => new Lib0Reader(bytes).ReadAny());
    }
}
