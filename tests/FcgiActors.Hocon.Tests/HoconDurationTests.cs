namespace FcgiActors.Hocon.Tests;

public sealed class HoconDurationTests
{
    [Theory]
    [InlineData("5s", 5_000)]
    [InlineData("100 ms", 100)]
    [InlineData("2 minutes", 120_000)]
    [InlineData("250", 250)]
    [InlineData(" 1.5 s ", 1_500)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1 d", 86_400_000)]
    [InlineData("3 seconds", 3_000)]
    [InlineData("0s", 0)]
    [InlineData("1m", 60_000)]
    public void Parse_NumberAndUnit_GivesTimeSpan(string text, long milliseconds)
        => Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), HoconDuration.Parse(text));

    [Theory]
    [InlineData("1500us", 15_000)]
    [InlineData("1000 ns", 10)]
    public void Parse_SubMillisecondUnits_GiveTicks(string text, long ticks)
        => Assert.Equal(TimeSpan.FromTicks(ticks), HoconDuration.Parse(text));

    [Theory]
    [InlineData("5 parsecs")]
    [InlineData("5S")]
    [InlineData("s")]
    [InlineData("")]
    [InlineData("five seconds")]
    [InlineData("5s5")]
    [InlineData("99999999999999 d")]
    public void Parse_NotADuration_ThrowsFormatExceptionQuotingTheText(string text)
    {
        var e = Assert.Throws<FormatException>(() => HoconDuration.Parse(text));
        Assert.Contains($"\"{text}\"", e.Message, StringComparison.Ordinal);
        Assert.False(HoconDuration.TryParse(text, out _));
    }

    [Theory]
    [InlineData(5_000, "5s")]
    [InlineData(250, "250ms")]
    [InlineData(120_000, "2m")]
    public void Format_RoundTrips(long milliseconds, string expected)
    {
        var value = TimeSpan.FromMilliseconds(milliseconds);
        Assert.Equal(expected, HoconDuration.Format(value));
        Assert.Equal(value, HoconDuration.Parse(expected));
    }
}
