namespace FcgiActors.Hocon.Tests;

public sealed class HoconErrorTests
{
    private static HoconException Fail(string hocon)
        => Assert.Throws<HoconException>(() => HoconReader.Parse(hocon, "bad.conf", new HoconReaderOptions { EnvironmentVariables = _ => null }));

    [Theory]
    [InlineData("a = \"unterminated", 1, 5, "unterminated quoted string")]
    [InlineData("a = 1\nb = \"x\\q\"", 2, 7, "invalid escape")]
    [InlineData("a = 1\n\n  b = ${missing}", 3, 7, "could not resolve substitution ${missing}")]
    [InlineData("a = ${b}\nb = ${a}", 1, 5, "cycle")]
    [InlineData("a = [1,,2]", 1, 8, "two commas")]
    [InlineData("a = [,1]", 1, 6, "unexpected ','")]
    [InlineData("a = 1,,", 1, 7, "two commas")]
    [InlineData("a = 1\n}", 2, 1, "unbalanced '}'")]
    [InlineData("a {\n b = 1", 1, 3, "missing '}'")]
    [InlineData("a = [1, 2", 1, 5, "missing ']'")]
    [InlineData("a..b = 1", 1, 1, "empty path element")]
    [InlineData(".a = 1", 1, 1, "empty path element")]
    [InlineData("a = 1 b = 2", 1, 9, "'='")]
    [InlineData("a\nb = 1", 1, 2, "must be followed by")]
    [InlineData("${a} = 1", 1, 1, "not allowed in keys")]
    [InlineData("a = x ^ y", 1, 7, "reserved character")]
    [InlineData("a = 1 + 2", 1, 7, "'+' is reserved")]
    [InlineData("a = $x", 1, 5, "'$' must start a substitution")]
    [InlineData("a = ${b", 1, 5, "unterminated substitution")]
    [InlineData("[1, 2]", 1, 1, "root of a configuration must be an object")]
    [InlineData("a = \"\"\"never closed", 1, 5, "unterminated triple-quoted")]
    [InlineData("b = [1], a = ${b} x", 1, 14, "cannot concatenate an array")]
    [InlineData("a = ", 1, 5, "expected a value")]
    [InlineData("include url(\"http://x\")", 1, 1, "not supported")]
    [InlineData("include 42", 1, 1, "include must be followed by")]
    public void Parse_MalformedText_ThrowsWithFileLineColumn(string hocon, int line, int column, string reason)
    {
        var e = Fail(hocon);
        Assert.Equal("bad.conf", e.File);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.StartsWith($"bad.conf:{line}:{column}: ", e.Message, StringComparison.Ordinal);
    }
}
