using Demiurge.Common;
using Demiurge.Hosting;

namespace Demiurge.Tests.Hosting;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("3s", 3_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("0s", 0)]
    [InlineData("007s", 7_000)]
    [InlineData("90m", 5_400_000)]
    public void TryParse_ValidDuration_ReturnsIt(string text, long milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Fact]
    public void TryParse_Off_ReturnsTrueAndNull()
    {
        Assert.True(Durations.TryParse("off", out var duration));
        Assert.Null(duration);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("m")]
    [InlineData("ms")]
    [InlineData("-1s")]
    [InlineData("+1s")]
    [InlineData("1.5s")]
    [InlineData("5 m")]
    [InlineData(" 5m")]
    [InlineData("5m ")]
    [InlineData("5M")]
    [InlineData("5S")]
    [InlineData("1d")]
    [InlineData("5min")]
    [InlineData("OFF")]
    [InlineData("Off")]
    [InlineData("00:05:00")]
    [InlineData("99999999999999999999h")]
    [InlineData("9223372036854775807h")]
    [InlineData("٣s")]
    public void TryParse_Invalid_ReturnsFalse(string? text)
    {
        Assert.False(Durations.TryParse(text, out var duration));
        Assert.Null(duration);
    }

    [Theory]
    [InlineData("500ms")]
    [InlineData("3s")]
    [InlineData("5m")]
    [InlineData("1h")]
    [InlineData("90s")]
    [InlineData("1500ms")]
    [InlineData("off")]
    public void Format_ParsedValue_RoundTrips(string text)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(text, Durations.Format(duration));
    }

    [Theory]
    [InlineData(300_000, "5m")]
    [InlineData(7_200_000, "2h")]
    [InlineData(0, "0s")]
    public void Format_UsesTheLargestExactUnit(long milliseconds, string expected) =>
        Assert.Equal(expected, Durations.Format(TimeSpan.FromMilliseconds(milliseconds)));
}
