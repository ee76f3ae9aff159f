using Demiurge.Organizations;

namespace Demiurge.Tests.Organizations;

public sealed class PrintableNameAttributeTests
{
    [Theory]
    [InlineData("Initech")]
    [InlineData("👍")]
    [InlineData("\U00020000")]
    [InlineData("👩‍💻 team")]
    [InlineData("Société Générale 東京")]
    [InlineData("a b")]
    public void IsPrintable_TextWithAstralCharacters_True(string name) => Assert.True(PrintableNameAttribute.IsPrintable(name));

    [Theory]
    [InlineData("")]
    [InlineData(" leading")]
    [InlineData("trailing ")]
    [InlineData("trailing\u3000")]
    [InlineData("\u00A0leading")]
    [InlineData("a\u2028b")]
    [InlineData("a\u2029b")]
    [InlineData("a\tb")]
    [InlineData("a\u007Fb")]
    [InlineData("a\u202Eb")]
    [InlineData("a\u200Bb")]
    [InlineData("a\uE000b")]
    [InlineData("a\u0378b")]
    [InlineData("a\uFFFFb")]
    [InlineData("a\U0010FFFDb")]
    public void IsPrintable_SeparatorsControlsFormatPrivateOrUnassigned_False(string name) => Assert.False(PrintableNameAttribute.IsPrintable(name));

    [Fact]
    public void IsPrintable_LoneSurrogates_False()
    {
        Assert.False(PrintableNameAttribute.IsPrintable("a" + (char)0xD800));
        Assert.False(PrintableNameAttribute.IsPrintable((char)0xDC00 + "a"));
        Assert.False(PrintableNameAttribute.IsPrintable("\U0001F44D"[1..]));
    }
}
