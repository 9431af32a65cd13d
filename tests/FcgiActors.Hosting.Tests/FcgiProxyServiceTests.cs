using System.Globalization;
using System.Net;
using System.Text;
using FcgiActors.Hocon;
using FcgiActors.Responder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Hosting.Tests;

public class FcgiProxyServiceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Host_WithHoconProxy_RelaysToBackendResponderHost()
    {
        // Backend: a responder host on a free port.
        var backendBuilder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        backendBuilder.Services.AddFcgiResponder(
            ctx => ctx.Output.WriteAsync(Encoding.ASCII.GetBytes("Content-Type: text/plain\r\n\r\nbackend says " + ctx.QueryString)).AsTask(),
            o => o.Settings = ResponderSettings.Default with { Listen = [ListenAddress.Parse("127.0.0.1:0")] });
        using var backend = backendBuilder.Build();
        await backend.StartAsync().WaitAsync(Timeout);
        var backendPort = ((IPEndPoint)backend.Services.GetRequiredService<FcgiResponderService>().BoundEndPoints.Single()).Port;

        // Proxy: configured from HOCON only.
        var proxyBuilder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        proxyBuilder.Logging.ClearProviders();
        proxyBuilder.Configuration.AddHoconString(string.Create(CultureInfo.InvariantCulture, $$"""
            fcgi.proxy {
              listen = ["127.0.0.1:0"]
              drain-timeout = 2s
              pools { default { backends = ["127.0.0.1:{{backendPort}}"] } }
            }
            """));
        proxyBuilder.Services.AddFcgiProxy();
        using var proxy = proxyBuilder.Build();
        await proxy.StartAsync().WaitAsync(Timeout);
        var service = proxy.Services.GetRequiredService<FcgiProxyService>();

        var output = await CgiFcgi.GetAsync(service.BoundEndPoints.Single(), "x=1");

        Assert.EndsWith("backend says x=1", output.TrimEnd());
        Assert.Single(service.Backends);
        await proxy.StopAsync().WaitAsync(Timeout);
        await backend.StopAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Host_ProxyWithoutPools_FailsToStart()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddFcgiProxy();
        using var host = builder.Build();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => host.StartAsync().WaitAsync(Timeout));

        Assert.Contains("fcgi.proxy.pools", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddFcgiProxy_CalledTwice_Throws()
    {
        var services = new ServiceCollection().AddFcgiProxy();

        Assert.Throws<InvalidOperationException>(() => services.AddFcgiProxy());
    }
}
