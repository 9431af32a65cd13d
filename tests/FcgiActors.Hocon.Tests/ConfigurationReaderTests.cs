using Microsoft.Extensions.Configuration;

namespace FcgiActors.Hocon.Tests;

public sealed class ConfigurationReaderTests
{
    private static IConfigurationSection Section(string hocon)
        => new ConfigurationBuilder().AddHoconString("fcgi.proxy { " + hocon + " }").Build().GetSection("fcgi:proxy");

    [Fact]
    public void GetDuration_ValidOrAbsent_GivesValueOrDefault()
    {
        var s = Section("queue-timeout = 5s, bare = 250");
        Assert.Equal(TimeSpan.FromSeconds(5), s.GetDuration("queue-timeout", TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromMilliseconds(250), s.GetDuration("bare", TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds(1), s.GetDuration("absent", TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void GetDuration_NotADuration_ThrowsNamingTheHoconPath()
    {
        var e = Assert.Throws<ConfigurationException>(() => Section("queue-timeout = 5 parsecs").GetDuration("queue-timeout", TimeSpan.Zero));
        Assert.Equal("fcgi.proxy.queue-timeout", e.Path);
        Assert.StartsWith("fcgi.proxy.queue-timeout: \"5 parsecs\" is not a duration", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetDuration_OutOfRange_Throws()
    {
        var e = Assert.Throws<ConfigurationException>(() => Section("t = 2h").GetDuration("t", TimeSpan.Zero, max: TimeSpan.FromHours(1)));
        Assert.Contains("out of range", e.Message, StringComparison.Ordinal);
        Assert.Throws<ConfigurationException>(() => Section("t = -5s").GetDuration("t", TimeSpan.Zero));
    }

    [Fact]
    public void GetSize_ParsesUnits_AndRejectsOthers()
    {
        Assert.Equal(65_536, Section("w = 64k").GetSize("w", 0));
        var e = Assert.Throws<ConfigurationException>(() => Section("w = 64 potatoes").GetSize("w", 0));
        Assert.Equal("fcgi.proxy.w", e.Path);
        Assert.Throws<ConfigurationException>(() => Section("w = 2M").GetSize("w", 0, max: 1024));
    }

    [Fact]
    public void GetInt_ChecksSyntaxAndRange()
    {
        Assert.Equal(8, Section("n = 8").GetInt("n", 1, min: 1, max: 10));
        Assert.Equal(1, Section("").GetInt("n", 1));
        Assert.Contains("is not an integer", Assert.Throws<ConfigurationException>(() => Section("n = eight").GetInt("n", 1)).Message, StringComparison.Ordinal);
        Assert.Contains("out of range", Assert.Throws<ConfigurationException>(() => Section("n = 0").GetInt("n", 1, min: 1)).Message, StringComparison.Ordinal);
        Assert.Throws<ConfigurationException>(() => Section("n = 99999999999").GetInt("n", 1));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("yes", true)]
    [InlineData("on", true)]
    [InlineData("false", false)]
    [InlineData("no", false)]
    [InlineData("off", false)]
    public void GetBool_AcceptsHoconBooleanWords(string text, bool expected)
        => Assert.Equal(expected, Section("b = " + text).GetBool("b", !expected));

    [Fact]
    public void GetBool_Other_Throws()
        => Assert.Throws<ConfigurationException>(() => Section("b = maybe").GetBool("b", false));

    [Fact]
    public void GetString_And_GetStringList()
    {
        var s = Section("name = x, list = [a, b, c], one = single, empty = []");
        Assert.Equal("x", s.GetString("name", "d"));
        Assert.Equal("d", s.GetString("absent", "d"));
        Assert.Equal(["a", "b", "c"], s.GetStringList("list", []));
        Assert.Equal(["single"], s.GetStringList("one", []));
        Assert.Empty(s.GetStringList("empty", ["default"]));
        Assert.Equal(["default"], s.GetStringList("absent", ["default"]));
    }

    [Fact]
    public void GetStringList_ElementIsObject_Throws()
    {
        var e = Assert.Throws<ConfigurationException>(() => Section("list = [{ a = 1 }]").GetStringList("list", []));
        Assert.Equal("fcgi.proxy.list.0", e.Path);
    }

    private enum Policy { FailRequest, PauseReading }

    [Fact]
    public void GetEnum_ReadsKebabCase_AndListsChoicesOnError()
    {
        Assert.Equal(Policy.PauseReading, Section("p = pause-reading").GetEnum("p", Policy.FailRequest));
        var e = Assert.Throws<ConfigurationException>(() => Section("p = drop").GetEnum("p", Policy.FailRequest));
        Assert.Contains("fail-request, pause-reading", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetDouble_ParsesJsonNumbers()
    {
        Assert.Equal(0.5, Section("d = 0.5").GetDouble("d", 0));
        Assert.Throws<ConfigurationException>(() => Section("d = half").GetDouble("d", 0));
    }
}
