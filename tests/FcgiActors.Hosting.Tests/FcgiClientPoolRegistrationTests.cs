using FcgiActors.Client;
using FcgiActors.Hocon;
using FcgiActors.Hosting.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FcgiActors.Hosting.Tests;

public class FcgiClientPoolRegistrationTests
{
    [Fact]
    public async Task AddFcgiClientPool_Unnamed_ResolvesSingletonForAddress()
    {
        var services = new ServiceCollection();
        services.AddFcgiClientPool("127.0.0.1:9");
        await using var provider = services.BuildServiceProvider();

        var pool = provider.GetRequiredService<BackendPool>();

        Assert.Same(pool, provider.GetRequiredService<BackendPool>());
        Assert.Equal(BackendAddress.Parse("127.0.0.1:9"), pool.Address);
        Assert.Equal(ClientSettings.Default, pool.Settings);
        Assert.NotNull(provider.GetService<FcgiMetrics>());
    }

    [Fact]
    public async Task AddFcgiClientPool_Named_ResolvesKeyedPools()
    {
        var services = new ServiceCollection();
        services.AddFcgiClientPool("php", "127.0.0.1:9001");
        services.AddFcgiClientPool("go", "unix:/tmp/go.sock", o => o.Settings = ClientSettings.Default with { MaxConnectionsPerBackend = 2 });
        await using var provider = services.BuildServiceProvider();

        Assert.Equal(9001, provider.GetRequiredKeyedService<BackendPool>("php").Address.Port);
        var go = provider.GetRequiredKeyedService<BackendPool>("go");
        Assert.Equal("/tmp/go.sock", go.Address.UnixPath);
        Assert.Equal(2, go.Settings.MaxConnectionsPerBackend);
    }

    [Fact]
    public async Task AddFcgiClientPool_WithHoconConfiguration_BindsClientSection()
    {
        var configuration = new ConfigurationBuilder().AddHoconString("fcgi.client { max-connections = 3, connect-timeout = 2s }").Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddFcgiClientPool("127.0.0.1:9");
        await using var provider = services.BuildServiceProvider();

        var pool = provider.GetRequiredService<BackendPool>();

        Assert.Equal(3, pool.Settings.MaxConnectionsPerBackend);
        Assert.Equal(TimeSpan.FromSeconds(2), pool.Settings.ConnectTimeout);
    }

    [Fact]
    public void AddFcgiClientPool_EmptyAddress_ThrowsAtRegistration() =>
        Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddFcgiClientPool(""));

    [Fact]
    public void AddFcgiClientPool_InvalidPort_ThrowsAtRegistration() =>
        Assert.Throws<FormatException>(() => new ServiceCollection().AddFcgiClientPool("127.0.0.1:99999"));
}
