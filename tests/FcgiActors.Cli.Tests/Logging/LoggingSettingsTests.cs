using System.Collections;
using FcgiActors.Cli.Logging;
using FcgiActors.Hocon;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Cli.Tests.Logging;

public sealed class LoggingSettingsTests
{
    private static LoggingSettings Bind(params string[] overrides)
        => LoggingSettings.FromConfiguration(CliConfiguration.Load(null, overrides, new Hashtable()).GetSection("fcgi:logging"));

    [Fact]
    public void FromConfiguration_ReferenceDefaults_AreQuietConsolePlain()
    {
        var s = Bind();
        Assert.Equal(LogLevel.Warning, s.Level);
        Assert.Equal(LogSink.Console, s.Sink);
        Assert.Equal(LogFormat.Plain, s.Format);
        Assert.False(s.TraceRecords);
        Assert.Empty(s.CategoryLevels);
        Assert.Equal(100L * 1024 * 1024, s.FileSizeLimit);
        Assert.Equal(Serilog.RollingInterval.Day, s.RollingInterval);
    }

    [Fact]
    public void FromConfiguration_AreasAndCategories_BecomeCategoryLevels()
    {
        var s = Bind("fcgi.logging.areas.proxy=debug", "fcgi.logging.categories.FcgiActors:Proxy:RouterActor=trace");
        Assert.Equal(LogLevel.Debug, s.CategoryLevels["FcgiActors.Proxy"]);
        Assert.Equal(LogLevel.Trace, s.CategoryLevels["FcgiActors.Proxy.RouterActor"]);
        Assert.Equal(LogLevel.Trace, FcgiLogging.LevelFor(s, "FcgiActors.Proxy.RouterActor"));
        Assert.Equal(LogLevel.Debug, FcgiLogging.LevelFor(s, "FcgiActors.Proxy.Pool"));
        Assert.Equal(LogLevel.Warning, FcgiLogging.LevelFor(s, "FcgiActors.ProxyX"));
    }

    [Fact]
    public void FromConfiguration_QuotedDottedCategory_IsOneCategory()
    {
        var config = new ConfigurationBuilder().AddHoconString("categories { \"FcgiActors.Client.Pool\" = info }").Build();
        var s = LoggingSettings.FromConfiguration(config);
        Assert.Equal(LogLevel.Information, s.CategoryLevels["FcgiActors.Client.Pool"]);
    }

    [Theory]
    [InlineData("fcgi.logging.level=loud", "fcgi.logging.level")]
    [InlineData("fcgi.logging.areas.proxy=loud", "fcgi.logging.areas.proxy")]
    [InlineData("fcgi.logging.areas.nowhere=debug", "fcgi.logging.areas.nowhere")]
    [InlineData("fcgi.logging.sink=syslog", "fcgi.logging.sink")]
    [InlineData("fcgi.logging.format=xml", "fcgi.logging.format")]
    [InlineData("fcgi.logging.trace-records=sometimes", "fcgi.logging.trace-records")]
    [InlineData("fcgi.logging.file.retained-files=-1", "fcgi.logging.file.retained-files")]
    public void FromConfiguration_BadValue_ThrowsNamingThePath(string setting, string path)
    {
        var e = Assert.Throws<ConfigurationException>(() => Bind(setting));
        Assert.Equal(path, e.Path);
    }
}
