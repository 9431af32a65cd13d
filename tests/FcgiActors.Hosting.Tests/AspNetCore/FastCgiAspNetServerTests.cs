using System.Net;
using System.Text;
using FcgiActors.Hocon;
using FcgiActors.Hosting.AspNetCore;
using FcgiActors.Hosting.Tests.Metrics;
using FcgiActors.Testing;
using FcgiActors.Responder;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Hosting.Tests.AspNetCore;

[Collection(MetricsCollection.Name)]
public class FastCgiAspNetServerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("http://+:8080", "[::]:8080")]
    [InlineData("http://*:8080/", "[::]:8080")]
    [InlineData("fcgi://127.0.0.1:9000", "127.0.0.1:9000")]
    [InlineData("http://localhost:5000", "127.0.0.1:5000")]
    [InlineData("unix:/tmp/app.sock", "unix:/tmp/app.sock")]
    [InlineData("fd:0", "fd:0")]
    public void ParseUrl_HostUrl_BecomesListenAddress(string url, string expected) =>
        Assert.Equal(ListenAddress.Parse(expected), FastCgiAspNetServer.ParseUrl(url));

    private static WebApplication Build(Action<WebApplicationBuilder> configure)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        configure(builder);
        var app = builder.Build();
        app.MapGet("/", () => "root");
        app.MapGet("/fail", (Func<string>)(() => throw new InvalidOperationException("x")));
        return app;
    }

    [Fact]
    public async Task UseFastCgi_ReplacesKestrelAndPublishesFcgiAddress()
    {
        await using var app = Build(b => b.WebHost.UseFastCgi(o => o.Listen("127.0.0.1:0")));
        await app.StartAsync().WaitAsync(Timeout);

        var server = app.Services.GetRequiredService<IServer>();
        Assert.IsType<FastCgiAspNetServer>(server);
        var address = Assert.Single(server.Features.Get<IServerAddressesFeature>()!.Addresses);
        var port = ((IPEndPoint)((FastCgiAspNetServer)server).BoundEndPoints.Single()).Port;
        Assert.Equal($"fcgi://127.0.0.1:{port}", address);

        var output = await CgiFcgi.GetAsync(((FastCgiAspNetServer)server).BoundEndPoints[0]);
        Assert.StartsWith("Status: 200 OK", output, StringComparison.Ordinal);
        Assert.EndsWith("root", output.TrimEnd());
        await app.StopAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task UseFastCgi_WithoutListen_TakesHostUrls()
    {
        var port = FcgiActors.Testing.Peers.FreePort.Next();
        await using var app = Build(b =>
        {
            b.WebHost.UseUrls($"http://127.0.0.1:{port}");
            b.WebHost.UseFastCgi();
        });
        await app.StartAsync().WaitAsync(Timeout);

        var server = app.Services.GetRequiredService<FastCgiAspNetServer>();
        Assert.Equal(port, ((IPEndPoint)server.BoundEndPoints.Single()).Port);
        await app.StopAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task UseFastCgi_HoconListen_WinsOverHostUrls()
    {
        await using var app = Build(b =>
        {
            b.Configuration.AddHoconString("fcgi.responder.listen = [\"127.0.0.1:0\"]");
            b.WebHost.UseUrls("http://127.0.0.1:1");
            b.WebHost.UseFastCgi();
        });
        await app.StartAsync().WaitAsync(Timeout);

        var server = app.Services.GetRequiredService<FastCgiAspNetServer>();
        Assert.NotEqual(1, ((IPEndPoint)server.BoundEndPoints.Single()).Port);
        await app.StopAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Requests_AreCountedOnFcgiMetricsWithOutcome()
    {
        await using var app = Build(b => b.WebHost.UseFastCgi(o => o.Listen("127.0.0.1:0")));
        using var recorder = new MetricsRecorder();
        await app.StartAsync().WaitAsync(Timeout);
        var endpoint = app.Services.GetRequiredService<FastCgiAspNetServer>().BoundEndPoints[0];

        await CgiFcgi.GetAsync(endpoint);
        var failed = await CgiFcgiGetPathAsync(endpoint, "/fail");

        Assert.StartsWith("Status: 500", failed, StringComparison.Ordinal);
        await app.StopAsync().WaitAsync(Timeout);
        Assert.Equal(1, recorder.Sum("fcgi.requests", ("component", "aspnet"), ("outcome", "completed")));
        Assert.Equal(1, recorder.Sum("fcgi.requests", ("component", "aspnet"), ("outcome", "error")));
        Assert.Equal(0, recorder.Sum("fcgi.requests.active"));
        // The FastCGI layer under ASP.NET Core is the responder: both requests ended there too.
        Assert.Equal(2, recorder.Sum("fcgi.requests", ("component", "responder"), ("outcome", "completed")));
    }

    private static async Task<string> CgiFcgiGetPathAsync(EndPoint endpoint, string path)
    {
        await using var process = FcgiActors.Testing.Peers.PeerProcess.Start(CgiFcgi.Path,
            ["-bind", "-connect", $"127.0.0.1:{((IPEndPoint)endpoint).Port}"],
            new Dictionary<string, string?> { ["REQUEST_METHOD"] = "GET", ["REQUEST_URI"] = path, ["SERVER_PROTOCOL"] = "HTTP/1.1" });
        await process.WaitForExitAsync(Timeout);
        return process.StandardOutput;
    }
}
