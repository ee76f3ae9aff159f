namespace Demiurge.Yjs.Tests;

public sealed class YUpdateTests
{
    [Fact]
    public void Empty_IsTheEmptyUpdate()
    {
        Assert.Equal(new byte[] { 0, 0 }, YUpdate.Empty.ToArray());
        Assert.True(YUpdate.IsEmpty(YUpdate.Empty));
        Assert.Equal(new byte[] { 0, 0 }, YUpdate.Merge([]));
        Assert.Equal(new byte[] { 0 }, YUpdate.EncodeStateVector(YUpdate.Empty));
    }

    [Theory]
    [InlineData("000105010001", false)] // client 5 deletes 0..1: not empty
    [InlineData("00010500", true)] // client 5 with no range
    [InlineData("0001050101 00", true)] // a zero-length range deletes nothing
    public void IsEmpty_DeleteSets_CountRangesThatDelete(string hex, bool empty)
    {
        Assert.Equal(empty, YUpdate.IsEmpty(Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal))));
    }

    [Fact]
    public void IsEmpty_WithAStruct_IsFalse()
    {
        Assert.False(YUpdate.IsEmpty(TestUpdates.Text(5, 0, "a")));
    }

    [Fact]
    public void Merge_OneUpdate_ReturnsACopyAndChecksIt()
    {
        var update = TestUpdates.Text(5, 0, "ab");
        var merged = YUpdate.Merge([update]);
        Assert.Equal(update, merged);
        Assert.NotSame(update, merged);
        Assert.Throws<YjsFormatException>(() => YUpdate.Merge([update.AsMemory(0, update.Length - 1)]));
    }

    [Fact]
    public void Merge_AdjacentInsertsOutOfOrder_GivesTheWholeClock()
    {
        var merged = YUpdate.Merge([TestUpdates.Text(5, 2, "cd"), TestUpdates.Text(5, 0, "ab")]);
        Assert.Equal(new Dictionary<ulong, ulong> { [5] = 4 }, YUpdate.DecodeStateVector(YUpdate.EncodeStateVector(merged)));
    }

    [Fact]
    public void Merge_WithAGap_StateVectorStopsAtTheGap()
    {
        var merged = YUpdate.Merge([TestUpdates.Text(5, 4, "ef"), TestUpdates.Text(5, 0, "ab")]);
        Assert.Equal(new Dictionary<ulong, ulong> { [5] = 2 }, YUpdate.DecodeStateVector(YUpdate.EncodeStateVector(merged)));
        // The part after the gap is still there: a diff against the first part keeps it.
        Assert.False(YUpdate.IsEmpty(YUpdate.Diff(merged, TestUpdates.StateVector((5, 2)))));
    }

    [Fact]
    public void EncodeStateVector_UpdateNotFromClockZero_LeavesTheClientOut()
    {
        Assert.Equal(new byte[] { 0 }, YUpdate.EncodeStateVector(TestUpdates.Text(5, 3, "x")));
    }

    [Fact]
    public void DecodeStateVector_ClientTwice_KeepsTheLastClock()
    {
        var state = YUpdate.DecodeStateVector(Convert.FromHexString("0205030509"));
        Assert.Equal(new Dictionary<ulong, ulong> { [5] = 9 }, state);
    }

    [Theory]
    [InlineData("030101")]
    [InlineData("FFFFFFFFFFFFFF0F")]
    [InlineData("")]
    public void DecodeStateVector_Malformed_Throws(string hex)
    {
        Assert.Throws<YjsFormatException>(() => YUpdate.DecodeStateVector(Convert.FromHexString(hex)));
    }

    [Fact]
    public void EncodeStateVector_Dictionary_WritesClientsDescending()
    {
        var bytes = YUpdate.EncodeStateVector(new Dictionary<ulong, ulong> { [1] = 2, [300] = 4, [5] = 6 });
        Assert.Equal("03AC0204050601 02".Replace(" ", "", StringComparison.Ordinal), Convert.ToHexString(bytes));
    }

    [Fact]
    public void Diff_InsideASurrogatePair_WritesAReplacementCharacter()
    {
        // "a😀b": the peer has "a" and the high surrogate; what remains starts with a lone low surrogate.
        var diff = YUpdate.Diff(TestUpdates.Text(5, 0, "a😀b"), TestUpdates.StateVector((5, 2)));
        Assert.Equal("0101050284050104EFBFBD6200", Convert.ToHexString(diff));
    }

    [Fact]
    public void Diff_EverythingKnown_KeepsOnlyTheDeleteSet()
    {
        Assert.Equal(new byte[] { 0, 0 }, YUpdate.Diff(TestUpdates.Text(5, 0, "ab"), TestUpdates.StateVector((5, 2))));
    }

    [Fact]
    public void EveryFunction_TruncatedUpdate_ThrowsFormatException()
    {
        var update = TestUpdates.AllContentKinds();
        YUpdate.Validate(update);
        for (var length = 0; length < update.Length; length++)
        {
            var prefix = update.AsMemory(0, length);
            Assert.Throws<YjsFormatException>(() => YUpdate.Validate(prefix.Span));
            Assert.Throws<YjsFormatException>(() => YUpdate.Merge([prefix, YUpdate.Empty.ToArray()]));
            Assert.Throws<YjsFormatException>(() => YUpdate.EncodeStateVector(prefix.Span));
            Assert.Throws<YjsFormatException>(() => YUpdate.Diff(prefix.Span, YUpdate.Empty[..1]));
            Assert.Throws<YjsFormatException>(() => YUpdate.IsEmpty(prefix.Span));
        }
    }

    [Theory]
    [InlineData("01010500 0B 00")] // content reference 11
    [InlineData("01010500 8A 0500 00")] // reference 10 (skip) with an origin bit
    [InlineData("01010500 07 01 0174 07 00")] // type reference 7
    [InlineData("01010500 05 01 0174 027B7B 00")] // embed "{{": not JSON
    [InlineData("01010500 02 01 0174 01 0178 00")] // legacy JSON "x"
    [InlineData("01010500 04 01 0174 01FF 00")] // text that is not UTF-8
    [InlineData("010205 FEFFFFFFFFFFFF0F 00 02 00 02 00")] // clock beyond 53 bits
    [InlineData("01FFFFFFFFFFFFFF0F050000")] // 2^53 − 1 structs announced, none there
    [InlineData("00FFFFFFFFFFFFFF0F")] // 2^53 − 1 deleting clients announced
    [InlineData("000105 FFFFFFFFFFFFFF0F")] // 2^53 − 1 ranges announced
    [InlineData("000105 01 FFFFFFFFFFFFFF0F 02")] // a range ending beyond 53 bits
    public void Validate_MalformedUpdate_Throws(string hex)
    {
        var bytes = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
        Assert.Throws<YjsFormatException>(() => YUpdate.Validate(bytes));
        Assert.False(YUpdate.IsValid(bytes));
        Assert.Throws<YjsFormatException>(() => YUpdate.Merge([bytes, bytes]));
    }

    [Fact]
    public void EveryFunction_RandomlyCorruptedUpdates_ThrowOnlyFormatExceptions()
    {
        var original = TestUpdates.AllContentKinds();
        var random = new Random(12);
        var valid = 0;
        for (var round = 0; round < 20_000; round++)
        {
            var bytes = (byte[])original.Clone();
            for (var n = random.Next(1, 4); n > 0; n--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            try
            {
                var merged = YUpdate.Merge([bytes, original]);
                YUpdate.Validate(merged);
                YUpdate.Diff(bytes, YUpdate.EncodeStateVector(original));
                YUpdate.IsEmpty(bytes);
                valid++;
            }
            catch (YjsFormatException)
            {
                // Expected for most corruptions; any other exception fails the test.
            }
        }
        Assert.InRange(valid, 1, 19_999);
    }
}
