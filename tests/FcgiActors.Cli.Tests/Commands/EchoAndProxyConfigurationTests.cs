using FcgiActors.Cli.Commands;

namespace FcgiActors.Cli.Tests.Commands;

/// <summary>`fcgi echo` and `fcgi proxy` read configuration and report its errors as every other command.</summary>
public class EchoAndProxyConfigurationTests
{
    [Theory]
    [InlineData("pool-defaults.queue-size", "-1")]
    [InlineData("pool-defaults.max-concurrency", "0")]
    [InlineData("pool-defaults.max-connections-per-backend", "-3")]
    [InlineData("pool-defaults.queue-timeout", "-5s")]
    [InlineData("health.failure-threshold", "0")]
    [InlineData("max-retries", "-1")]
    public async Task Proxy_NegativeSizeOrCount_Exit78NamingTheHoconPath(string key, string value)
    {
        var (code, _, err) = await CliRunner.RunAsync("proxy", "--set", $"fcgi.proxy.{key}={value}");

        Assert.Equal(ExitCodes.Config, code);
        Assert.Contains($"fcgi.proxy.{key}", err, StringComparison.Ordinal);
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    [Fact]
    public void ProxyBinder_NegativePoolDefault_IsRefusedEvenWithNoPoolInheritingIt()
    {
        var root = CliConfiguration.Load(null, ["fcgi.proxy.pool-defaults.queue-size=-1"], new Dictionary<string, string>());

        var error = Assert.Throws<ArgumentException>(() => ProxyCommand.LoadSettings(root, []));

        Assert.StartsWith("fcgi.proxy.pool-defaults.queue-size = \"-1\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Echo_BadLoggingValue_Exit78NamingThePath()
    {
        var (code, _, err) = await CliRunner.RunAsync("echo", "--listen", "127.0.0.1:0", "--set", "fcgi.logging.format=xml");

        Assert.Equal(ExitCodes.Config, code);
        Assert.Contains("fcgi.logging.format", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Echo_BadResponderValue_Exit78NamingThePath()
    {
        var (code, _, err) = await CliRunner.RunAsync("echo", "--listen", "127.0.0.1:0", "--set", "fcgi.responder.max-connections=lots");

        Assert.Equal(ExitCodes.Config, code);
        Assert.Contains("fcgi.responder.max-connections", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Echo_MissingConfigFile_Exit66()
    {
        var (code, _, err) = await CliRunner.RunAsync("echo", "--config", "/nonexistent/fcgi.conf");

        Assert.Equal(ExitCodes.NoInput, code);
        Assert.Contains("/nonexistent/fcgi.conf", err, StringComparison.Ordinal);
    }

    [Fact]
    public void EchoSettings_LayerSetOverReference_ThenListen()
    {
        var root = CliConfiguration.Load(null, ["fcgi.responder.max-connections=7"], new Dictionary<string, string>());

        var settings = EchoCommand.LoadSettings(root, ["127.0.0.1:0"]);

        Assert.Equal(7, settings.MaxConnections);
        Assert.Equal("127.0.0.1:0", Assert.Single(settings.Listen).ToString());
    }
}
