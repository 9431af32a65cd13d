namespace FcgiActors.Hocon.Tests;

public sealed class HoconSizeTests
{
    [Theory]
    [InlineData("64k", 65_536)]
    [InlineData("64K", 65_536)]
    [InlineData("1 MiB", 1_048_576)]
    [InlineData("1m", 1_048_576)]
    [InlineData("10MB", 10_000_000)]
    [InlineData("1kB", 1_000)]
    [InlineData("512", 512)]
    [InlineData("2 bytes", 2)]
    [InlineData("1.5k", 1_536)]
    [InlineData("1 GiB", 1_073_741_824)]
    [InlineData("2 kibibytes", 2_048)]
    [InlineData("3 megabytes", 3_000_000)]
    [InlineData("1e3", 1_000)]
    [InlineData("1 e", 1_152_921_504_606_846_976)]
    public void Parse_NumberAndUnit_GivesBytes(string text, long bytes) => Assert.Equal(bytes, HoconSize.Parse(text));

    [Theory]
    [InlineData("64 kilos")]
    [InlineData("-1k")]
    [InlineData("KiB")]
    [InlineData("1 YiB")]
    [InlineData("1kb")]
    public void Parse_NotASize_ThrowsFormatExceptionQuotingTheText(string text)
    {
        var e = Assert.Throws<FormatException>(() => HoconSize.Parse(text));
        Assert.Contains($"\"{text}\"", e.Message, StringComparison.Ordinal);
    }
}
