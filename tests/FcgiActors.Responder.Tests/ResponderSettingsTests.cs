using System.Net;
using FcgiActors.Hocon;
using Microsoft.Extensions.Configuration;

namespace FcgiActors.Responder.Tests;

public sealed class ResponderSettingsTests
{
    private static IConfigurationSection Section(string hocon) =>
        new ConfigurationBuilder().AddHoconString(hocon).Build().GetSection("fcgi:responder");

    [Fact]
    public void FromConfiguration_EmptySection_GivesTheDefaults() =>
        Assert.Equal(ResponderSettings.Default.StdinWindow, ResponderSettings.FromConfiguration(Section("fcgi.responder {}")).StdinWindow);

    [Fact]
    public void FromConfiguration_ReadsDurationsSizesListsAndEnums()
    {
        var settings = ResponderSettings.FromConfiguration(Section("""
            fcgi.responder {
              listen = ["127.0.0.1:9100", "unix:/tmp/a.sock"]
              unix-socket-mode = "0600"
              web-server-addrs = ["127.0.0.1", "::1"]
              max-requests-per-connection = 8
              multiplexing = off
              stdin-window = 1MiB
              window-policy = pause-connection
              idle-timeout = 90s
              max-params-bytes = 128k
            }
            """));

        Assert.Equal([ListenAddress.Parse("127.0.0.1:9100"), ListenAddress.Parse("unix:/tmp/a.sock")], settings.Listen);
        Assert.Equal(Convert.ToInt32("600", 8), settings.UnixSocketMode);
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], settings.WebServerAddresses);
        Assert.Equal(8, settings.MaxRequestsPerConnection);
        Assert.False(settings.Multiplexing);
        Assert.Equal(1024 * 1024, settings.StdinWindow);
        Assert.Equal(StdinWindowPolicy.PauseConnection, settings.WindowPolicy);
        Assert.Equal(TimeSpan.FromSeconds(90), settings.IdleTimeout);
        Assert.Equal(128 * 1024, settings.ParamsLimits.MaxTotalBytes);
    }

    [Theory]
    [InlineData("idle-timeout = forever", "fcgi.responder.idle-timeout")]
    [InlineData("stdin-window = 1k", "fcgi.responder.stdin-window")]
    [InlineData("window-policy = drop", "fcgi.responder.window-policy")]
    [InlineData("listen = [\"nowhere\"]", "fcgi.responder.listen")]
    [InlineData("unix-socket-mode = \"0999\"", "fcgi.responder.unix-socket-mode")]
    [InlineData("web-server-addrs = [\"example\"]", "fcgi.responder.web-server-addrs")]
    public void FromConfiguration_BadValue_NamesTheHoconPath(string line, string path)
    {
        var error = Assert.Throws<ConfigurationException>(() => ResponderSettings.FromConfiguration(Section("fcgi.responder { " + line + " }")));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Validate_ZeroRequestsPerConnection_NamesTheKey() =>
        Assert.Contains("max-requests-per-connection",
            Assert.Throws<ArgumentException>(() => (ResponderSettings.Default with { MaxRequestsPerConnection = 0 }).Validate()).Message);

    [Fact]
    public void ReferenceConf_ResponderSection_BindsToTheDefaults()
    {
        var root = FindRepositoryFile("hocon/reference.conf");
        var section = new ConfigurationBuilder().AddHoconFile(root).Build().GetSection("fcgi:responder");

        var settings = ResponderSettings.FromConfiguration(section);

        Assert.Equal(ResponderSettings.Default with { Listen = settings.Listen, ParamsLimits = settings.ParamsLimits }, settings);
        Assert.Equal(ResponderSettings.Default.Listen, settings.Listen);
        Assert.Equal(ResponderSettings.Default.ParamsLimits, settings.ParamsLimits);
    }

    private static string FindRepositoryFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(relative);
    }
}
