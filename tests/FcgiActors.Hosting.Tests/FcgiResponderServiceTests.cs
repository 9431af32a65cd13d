using System.Net;
using System.Text;
using FcgiActors.Hocon;
using FcgiActors.Responder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Hosting.Tests;

public class FcgiResponderServiceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static readonly ResponderSettings Loopback0 = ResponderSettings.Default with { Listen = [ListenAddress.Parse("127.0.0.1:0")] };

    private static async Task WriteAsync(FcgiRequestContext context, string text)
    {
        await context.Output.WriteAsync(Encoding.ASCII.GetBytes("Content-Type: text/plain\r\n\r\n" + text));
    }

    private static HostApplicationBuilder NewBuilder(string? hocon = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.ClearProviders();
        if (hocon is not null)
        {
            builder.Configuration.AddHoconString(hocon);
        }

        return builder;
    }

    [Fact]
    public async Task Host_WithDelegateResponder_ServesRequestsUntilStopped()
    {
        var builder = NewBuilder();
        builder.Services.AddFcgiResponder(ctx => WriteAsync(ctx, "query=" + ctx.QueryString), o => o.Settings = Loopback0);
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(Timeout);
        var service = host.Services.GetRequiredService<FcgiResponderService>();
        var endpoint = service.BoundEndPoints.Single();

        var output = await CgiFcgi.GetAsync(endpoint, "a=1");

        Assert.EndsWith("query=a=1", output.TrimEnd());
        await host.StopAsync().WaitAsync(Timeout);
        await Assert.ThrowsAnyAsync<Exception>(() => CgiFcgi.GetAsync(endpoint, timeout: TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Host_WithDiHandler_ResolvesOneScopePerRequestAndDisposesIt()
    {
        var builder = NewBuilder();
        builder.Services.AddScoped<ScopedCounter>();
        builder.Services.AddSingleton<DisposalLog>();
        builder.Services.AddFcgiResponder<GreetingHandler>(o => o.Settings = Loopback0);
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(Timeout);
        var endpoint = host.Services.GetRequiredService<FcgiResponderService>().BoundEndPoints.Single();

        var first = await CgiFcgi.GetAsync(endpoint);
        var second = await CgiFcgi.GetAsync(endpoint);

        Assert.Contains("hello from scope", first, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
        Assert.Equal(2, host.Services.GetRequiredService<DisposalLog>().Disposed);
        await host.StopAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Host_WithHoconConfiguration_BindsResponderSection()
    {
        var builder = NewBuilder("""
            fcgi.responder {
              listen = ["127.0.0.1:0"]
              max-requests-per-connection = 7
              shutdown-drain-timeout = 3s
            }
            """);
        builder.Services.AddFcgiResponder(ctx => WriteAsync(ctx, "ok"));
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(Timeout);
        var service = host.Services.GetRequiredService<FcgiResponderService>();

        Assert.Equal(7, service.Settings!.MaxRequestsPerConnection);
        Assert.Equal(TimeSpan.FromSeconds(3), service.Settings.ShutdownDrainTimeout);
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)service.BoundEndPoints.Single()).Address);
        Assert.EndsWith("ok", (await CgiFcgi.GetAsync(service.BoundEndPoints.Single())).TrimEnd());
        await host.StopAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Host_WithBadHoconValue_FailsToStartNamingThePath()
    {
        var builder = NewBuilder("fcgi.responder { listen = [\"127.0.0.1:0\"], max-requests-per-connection = lots }");
        builder.Services.AddFcgiResponder(ctx => WriteAsync(ctx, "ok"));
        using var host = builder.Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync().WaitAsync(Timeout));

        Assert.Contains("fcgi.responder.max-requests-per-connection", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_SettingsInCode_WinOverConfigurationAndConfigureApplies()
    {
        var builder = NewBuilder("fcgi.responder { max-requests-per-connection = 7 }");
        builder.Services.AddFcgiResponder(ctx => WriteAsync(ctx, "ok"), o =>
        {
            o.Settings = Loopback0;
            o.Configure = s => s with { MaxConcurrentRequests = 11 };
        });
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(Timeout);
        var settings = host.Services.GetRequiredService<FcgiResponderService>().Settings!;

        Assert.Equal(ResponderSettings.Default.MaxRequestsPerConnection, settings.MaxRequestsPerConnection);
        Assert.Equal(11, settings.MaxConcurrentRequests);
        await host.StopAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Host_ConfigureOnly_AdjustsConfiguredSettings()
    {
        var builder = NewBuilder("fcgi.responder { listen = [\"127.0.0.1:0\"], max-requests-per-connection = 7 }");
        builder.Services.AddFcgiResponder(ctx => WriteAsync(ctx, "ok"), o => o.Configure = s => s with { MaxConcurrentRequests = 5 });
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(Timeout);
        var settings = host.Services.GetRequiredService<FcgiResponderService>().Settings!;

        Assert.Equal(7, settings.MaxRequestsPerConnection);
        Assert.Equal(5, settings.MaxConcurrentRequests);
        await host.StopAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Host_StoppedWhileRequestInFlight_DrainsIt()
    {
        var handlerStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = NewBuilder();
        builder.Services.AddFcgiResponder(async ctx =>
        {
            handlerStarted.SetResult();
            await release.Task;
            await WriteAsync(ctx, "drained");
        }, o => o.Settings = Loopback0);
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(Timeout);
        var endpoint = host.Services.GetRequiredService<FcgiResponderService>().BoundEndPoints.Single();

        var request = CgiFcgi.GetAsync(endpoint);
        await handlerStarted.Task.WaitAsync(Timeout);
        var stopping = host.StopAsync();
        Assert.False(stopping.IsCompleted);
        release.SetResult();

        Assert.EndsWith("drained", (await request.WaitAsync(Timeout)).TrimEnd());
        await stopping.WaitAsync(Timeout);
    }

    [Fact]
    public void AddFcgiResponder_CalledTwice_Throws()
    {
        var services = new ServiceCollection();
        services.AddFcgiResponder(ctx => Task.CompletedTask);

        Assert.Throws<InvalidOperationException>(() => services.AddFcgiResponder(ctx => Task.CompletedTask));
    }

    [Fact]
    public async Task HostBuilder_UseFcgiResponder_RegistersHostedResponder()
    {
        using var host = new HostBuilder()
            .UseFcgiResponder(ctx => WriteAsync(ctx, "from IHostBuilder"), o => o.Settings = Loopback0)
            .Build();
        await host.StartAsync().WaitAsync(Timeout);
        var endpoint = host.Services.GetRequiredService<FcgiResponderService>().BoundEndPoints.Single();

        Assert.EndsWith("from IHostBuilder", (await CgiFcgi.GetAsync(endpoint)).TrimEnd());
        await host.StopAsync().WaitAsync(Timeout);
    }

    internal sealed class DisposalLog
    {
        private int _disposed;

        public int Disposed => Volatile.Read(ref _disposed);

        public void Add() => Interlocked.Increment(ref _disposed);
    }

    internal sealed class ScopedCounter(DisposalLog log) : IDisposable
    {
        public Guid Id { get; } = Guid.NewGuid();

        public void Dispose() => log.Add();
    }

    internal sealed class GreetingHandler(ScopedCounter scoped) : IFcgiHandler
    {
        public Task HandleAsync(FcgiRequestContext context) => WriteAsync(context, "hello from scope " + scoped.Id);
    }
}
