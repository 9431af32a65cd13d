using FcgiActors.Testing.Peers;
using FcgiActors.Hocon;
using FcgiActors.Proxy.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace FcgiActors.Proxy.Tests;

/// <summary>hocon/reference.conf's fcgi.proxy section parses and binds to the built-in defaults.</summary>
public class ReferenceConfTests
{
    [Fact]
    public void ReferenceConf_ProxySection_BindsToDefaults()
    {
        var configuration = new ConfigurationBuilder()
            .AddHoconFile(Path.Combine(TestPaths.RepoRoot, "hocon", "reference.conf"))
            .Build();

        var settings = ProxySettings.FromConfiguration(configuration.GetSection("fcgi:proxy"));

        var d = ProxySettings.Default;
        Assert.Equal(d.Listen, settings.Listen);
        Assert.Empty(settings.Pools);
        Assert.Equal(d.DefaultPool, settings.DefaultPool);
        Assert.Equal(d.DrainTimeout, settings.DrainTimeout);
        Assert.Equal(d.Overload, settings.Overload);
        Assert.Equal(d.Health, settings.Health);
        Assert.Equal(d.MaxRetries, settings.MaxRetries);
        Assert.Empty(settings.Routes);
        Assert.Empty(settings.DenyParams);
        Assert.Empty(settings.StripParams);
    }

    [Fact]
    public void HoconPools_WithPoolDefaults_BindPerPool()
    {
        var configuration = new ConfigurationBuilder()
            .AddHoconFile(Path.Combine(TestPaths.RepoRoot, "hocon", "reference.conf"))
            .AddHoconString("""
                fcgi.proxy {
                  default-pool = php
                  strip-params = [PHP_VALUE, PHP_ADMIN_VALUE]
                  routes = [ { param = SCRIPT_FILENAME, prefix = "/srv/app/", pool = app } ]
                  pools {
                    php { backends = ["127.0.0.1:9001"], multiplexing = off }
                    app {
                      queue-timeout = 2s
                      spawn { command = "/usr/local/bin/app", args = ["--listen", "{address}"], count = 2, listen = "unix:/tmp/app-{index}.sock" }
                    }
                  }
                }
                """)
            .Build();

        var settings = ProxySettings.FromConfiguration(configuration.GetSection("fcgi:proxy"));

        Assert.Equal(MultiplexingMode.Off, settings.FindPool("php")!.Multiplexing);
        var app = settings.FindPool("app")!;
        Assert.Equal(TimeSpan.FromSeconds(2), app.QueueTimeout);
        Assert.Equal(1024, app.QueueSize);
        Assert.Equal(["--listen", "{address}"], app.Spawn!.Args);
        Assert.Equal(2, app.Spawn.Count);
        Assert.Equal("app", Assert.Single(settings.Routes).Pool);
        Assert.Equal(["PHP_VALUE", "PHP_ADMIN_VALUE"], settings.StripParams);
    }
}
