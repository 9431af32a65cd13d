using FcgiActors.Protocol;
using Microsoft.Extensions.Configuration;

namespace FcgiActors.Proxy.Tests;

public class ProxySettingsTests
{
    private static IConfiguration Section(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("fcgi:proxy:" + v.Key, v.Value)))
            .Build()
            .GetSection("fcgi:proxy");

    [Fact]
    public void FromConfiguration_EmptySection_GivesDefaults()
    {
        var settings = ProxySettings.FromConfiguration(Section());

        Assert.Equal(["127.0.0.1:9000"], settings.Listen);
        Assert.Empty(settings.Pools);
        Assert.Equal(503, settings.Overload.Status);
        Assert.Equal(ProtocolStatus.Overloaded, settings.Overload.ProtocolStatus);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.DrainTimeout);
        Assert.Equal(3, settings.Health.FailureThreshold);
    }

    [Fact]
    public void FromConfiguration_PoolsRoutesAndLists_AreBound()
    {
        var settings = ProxySettings.FromConfiguration(Section(
            ("listen:0", "127.0.0.1:9100"),
            ("listen:1", "unix:/tmp/front.sock"),
            ("default-pool", "php"),
            ("strip-params:0", "PHP_VALUE"),
            ("strip-params:1", "PHP_ADMIN_VALUE"),
            ("deny-params:0", "HTTP_PROXY"),
            ("pool-defaults:queue-timeout", "750ms"),
            ("pools:php:backends:0", "127.0.0.1:9001"),
            ("pools:php:backends:1", "unix:/run/php.sock"),
            ("pools:php:max-concurrency", "8"),
            ("pools:php:multiplexing", "off"),
            ("pools:go:multiplexing", "on"),
            ("pools:go:queue-size", "0"),
            ("pools:go:spawn:command", "/usr/bin/go-echo"),
            ("pools:go:spawn:args:0", "{address}"),
            ("pools:go:spawn:count", "3"),
            ("pools:go:spawn:listen", "unix:/tmp/go-{index}.sock"),
            ("pools:go:spawn:environment:GOMAXPROCS", "1"),
            ("pools:go:spawn:stop-timeout", "2s"),
            ("routes:0:param", "SCRIPT_FILENAME"),
            ("routes:0:prefix", "/srv/go/"),
            ("routes:0:pool", "go"),
            ("overload:status", "429"),
            ("overload:protocol-status", "request-complete"),
            ("health:probe-interval", "500ms"),
            ("drain-timeout", "3s")));

        Assert.Equal(["127.0.0.1:9100", "unix:/tmp/front.sock"], settings.Listen);
        Assert.Equal("php", settings.DefaultPool);
        Assert.Equal(["PHP_VALUE", "PHP_ADMIN_VALUE"], settings.StripParams);
        Assert.Equal(["HTTP_PROXY"], settings.DenyParams);

        var php = settings.FindPool("php")!;
        Assert.Equal(["127.0.0.1:9001", "unix:/run/php.sock"], php.Backends);
        Assert.Equal(8, php.MaxConcurrency);
        Assert.Equal(MultiplexingMode.Off, php.Multiplexing);
        Assert.Equal(TimeSpan.FromMilliseconds(750), php.QueueTimeout);
        Assert.Null(php.Spawn);

        var go = settings.FindPool("go")!;
        Assert.Equal(MultiplexingMode.On, go.Multiplexing);
        Assert.Equal(0, go.QueueSize);
        Assert.Equal("/usr/bin/go-echo", go.Spawn!.Command);
        Assert.Equal(["{address}"], go.Spawn.Args);
        Assert.Equal(3, go.Spawn.Count);
        Assert.Equal("1", go.Spawn.Environment["GOMAXPROCS"]);
        Assert.Equal(TimeSpan.FromSeconds(2), go.Spawn.StopTimeout);

        Assert.Equal(new RouteSettings("SCRIPT_FILENAME", "/srv/go/", "go"), Assert.Single(settings.Routes));
        Assert.Equal(429, settings.Overload.Status);
        Assert.Equal(ProtocolStatus.RequestComplete, settings.Overload.ProtocolStatus);
        Assert.Equal(TimeSpan.FromMilliseconds(500), settings.Health.ProbeInterval);
        Assert.Equal(TimeSpan.FromSeconds(3), settings.DrainTimeout);
    }

    [Theory]
    [InlineData("pools:a:queue-timeout", "5 parsecs", "fcgi.proxy.pools.a.queue-timeout")]
    [InlineData("pools:a:max-concurrency", "0", "fcgi.proxy.pools.a.max-concurrency")]
    [InlineData("pools:a:multiplexing", "sometimes", "fcgi.proxy.pools.a.multiplexing")]
    [InlineData("health:failure-threshold", "zero", "fcgi.proxy.health.failure-threshold")]
    [InlineData("default-pool", "missing", "fcgi.proxy.default-pool")]
    [InlineData("routes:0:pool", "missing", "fcgi.proxy.routes[0].pool")]
    public void FromConfiguration_BadValue_NamesHoconPath(string key, string value, string path)
    {
        var values = new List<(string, string)> { ("pools:a:backends:0", "127.0.0.1:9001"), ("default-pool", "a") };
        values.RemoveAll(v => v.Item1 == key);
        values.Add((key, value));
        if (key.StartsWith("routes", StringComparison.Ordinal))
        {
            values.Add(("routes:0:param", "SCRIPT_FILENAME"));
        }

        var error = Assert.Throws<ArgumentException>(() => ProxySettings.FromConfiguration(Section(values.ToArray())));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PoolWithoutBackendsOrSpawn_Throws()
    {
        var settings = ProxySettings.Default with { Pools = [new PoolSettings { Name = "empty" }], DefaultPool = "empty" };

        var error = Assert.Throws<ArgumentException>(() => settings.Validate());

        Assert.Contains("fcgi.proxy.pools.empty.backends", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SpawnCountAboveOneWithFixedAddress_Throws()
    {
        var spawn = new SpawnSettings { Command = "app", Count = 2, Listen = "127.0.0.1:9100" };
        var settings = ProxySettings.Default with { Pools = [new PoolSettings { Spawn = spawn }] };

        var error = Assert.Throws<ArgumentException>(() => settings.Validate());

        Assert.Contains("fcgi.proxy.pools.default.spawn.listen", error.Message, StringComparison.Ordinal);
    }
}
