using System.Globalization;
using System.Net;
using System.Text;
using FcgiActors.Hocon;
using FcgiActors.Responder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Hosting.Tests;

/// <summary>A proxy bound from configuration follows configuration reloads.</summary>
public class FcgiProxyServiceReloadTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static async Task<FcgiServer> StartBackendAsync(string answer)
    {
        var server = new FcgiServer(ResponderSettings.Default with { Listen = [ListenAddress.Parse("127.0.0.1:0")] },
            ctx => ctx.Output.WriteAsync(Encoding.ASCII.GetBytes("Content-Type: text/plain\r\n\r\n" + answer)).AsTask());
        await server.StartAsync().WaitAsync(Timeout);
        return server;
    }

    private static string Config(FcgiServer backend, string extra = "") => string.Create(CultureInfo.InvariantCulture, $$"""
        fcgi.proxy {
          listen = ["127.0.0.1:0"]
          drain-timeout = 2s
          {{extra}}
          pools { default { backends = ["127.0.0.1:{{((IPEndPoint)backend.BoundEndPoints.Single()).Port}}"] } }
        }
        """);

    [Fact]
    public async Task ConfigurationReloaded_NewBackendServes_InvalidChangeKeepsRunningSettings()
    {
        await using var a = await StartBackendAsync("from-a");
        await using var b = await StartBackendAsync("from-b");
        var file = Path.Combine(Directory.CreateTempSubdirectory("fcgi-hosting-").FullName, "proxy.conf");
        File.WriteAllText(file, Config(a));
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.ClearProviders();
        builder.Configuration.AddHoconFile(file);
        builder.Services.AddFcgiProxy();
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(Timeout);
        var service = host.Services.GetRequiredService<FcgiProxyService>();
        var front = service.BoundEndPoints.Single();
        var configuration = (IConfigurationRoot)host.Services.GetRequiredService<IConfiguration>();
        Assert.EndsWith("from-a", (await CgiFcgi.GetAsync(front)).TrimEnd(), StringComparison.Ordinal);

        File.WriteAllText(file, Config(b));
        configuration.Reload();
        var deadline = DateTime.UtcNow + Timeout;
        while (!(await CgiFcgi.GetAsync(front)).TrimEnd().EndsWith("from-b", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the reloaded backend never answered");
            await Task.Delay(20);
        }

        var applied = service.Settings;
        File.WriteAllText(file, Config(a, "max-retries = -1"));
        configuration.Reload();
        // Stopping waits for the reload in progress: its outcome is final by then.
        await host.StopAsync().WaitAsync(Timeout);

        Assert.Same(applied, service.Settings);
        Assert.Equal(front, service.BoundEndPoints.Single());
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }
}
