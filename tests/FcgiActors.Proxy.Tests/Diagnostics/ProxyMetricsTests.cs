using System.Buffers;
using System.Net;
using FcgiActors.Protocol;
using FcgiActors.Proxy.Supervision;
using FcgiActors.Proxy.Tests.Support;
using FcgiActors.Responder;
using FcgiActors.Testing;
using FcgiActors.Testing.Peers;
using Microsoft.Extensions.Logging.Abstractions;
using static FcgiActors.Proxy.Tests.Support.ProxyHarness;

namespace FcgiActors.Proxy.Tests.Diagnostics;

/// <summary>The proxy's instruments (and the responder and client ones under it), over loopback, read by meter name.</summary>
[Collection(MetricsCollection.Name)]
public sealed class ProxyMetricsTests
{
    private static readonly (string, string) Responder = ("component", "responder");
    private static readonly (string, string) Client = ("component", "client");
    private static readonly (string, string) Proxy = ("component", "proxy");

    private static async Task<FcgiServer> StartBackendAsync(FcgiRequestHandler handler)
    {
        var server = new FcgiServer(ResponderSettings.Default with { Listen = [ListenAddress.Tcp(IPAddress.Loopback, 0)] }, handler, NullLoggerFactory.Instance);
        await server.StartAsync().WaitAsync(Bound);
        return server;
    }

    private static string AddressOf(FcgiServer server) => $"127.0.0.1:{((IPEndPoint)server.BoundEndPoints[0]).Port}";

    [Fact]
    public async Task Request_ThroughProxyToOurResponder_CountsBothResponderSidesAndTheBackendConnection()
    {
        using var metrics = new MetricsRecorder();
        await using var backend = await StartBackendAsync(EchoHandler.HandleAsync);
        var (proxy, front) = await StartAsync(Pool(AddressOf(backend)));
        await using (proxy)
        {
            var response = await FrontClient.RequestAsync(front, FrontClient.Params("a=1"), null, default).WaitAsync(Bound);

            Assert.Equal(ProtocolStatus.RequestComplete, response.ProtocolStatus);
            await metrics.WaitUntilAsync(m => m.Sum("fcgi.requests", Responder, ("outcome", "completed")) == 2,
                "the front request and the backend request completed", Bound);
            Assert.Equal(1, metrics.Sum("fcgi.connections.active", Client));
        }

        await metrics.WaitUntilAsync(m => m.Sum("fcgi.connections.active", Client) == 0, "the backend connection closed with the proxy", Bound);
        Assert.Equal(0, metrics.Sum("fcgi.requests.active", Responder));
        Assert.Equal(0, metrics.Sum("fcgi.backend.errors"));
        Assert.Equal(0, metrics.Sum("fcgi.proxy.overloaded"));
        Assert.True(metrics.Sum("fcgi.bytes.received", Responder) > 0);
        Assert.True(metrics.Sum("fcgi.bytes.sent", Responder) > 0);
    }

    [Fact]
    public async Task PoolFull_SecondRequestQueued_ThirdAnsweredOverloaded()
    {
        using var metrics = new MetricsRecorder();
        var release = new TaskCompletionSource();
        await using var backend = await StartBackendAsync(async c =>
        {
            await release.Task.WaitAsync(c.Aborted);
            c.Output.Write("Content-Type: text/plain\r\n\r\nok"u8);
        });
        var (proxy, front) = await StartAsync(Pool(new PoolSettings { Backends = [AddressOf(backend)], MaxConcurrency = 1, QueueSize = 1, QueueTimeout = TimeSpan.FromSeconds(20) }));
        await using var _ = proxy;

        var first = FrontClient.RequestAsync(front, FrontClient.Params("n=1"), null, default);
        await metrics.WaitUntilAsync(m => m.Sum("fcgi.requests.active", Responder) == 2, "the first request reached the backend", Bound);
        var second = FrontClient.RequestAsync(front, FrontClient.Params("n=2"), null, default);
        await metrics.WaitUntilAsync(m => m.Sum("fcgi.proxy.queue.depth") == 1, "the second request queued", Bound);
        var third = await FrontClient.RequestAsync(front, FrontClient.Params("n=3"), null, default).WaitAsync(Bound);
        release.SetResult();
        await Task.WhenAll(first, second).WaitAsync(Bound);

        Assert.Equal(503, third.Status);
        Assert.Equal(1, metrics.Sum("fcgi.proxy.overloaded"));
        await metrics.WaitUntilAsync(m => m.Sum("fcgi.requests", Responder, ("outcome", "overloaded")) == 1, "the front counted the overload answer", Bound);
        Assert.Equal(0, metrics.Sum("fcgi.proxy.queue.depth"));
        Assert.Equal(2, metrics.Count("fcgi.proxy.queue.depth"));
    }

    [Fact]
    public async Task BackendUnreachable_CountsConnectAndNotReachedErrors()
    {
        using var metrics = new MetricsRecorder();
        var (proxy, front) = await StartAsync(Pool($"127.0.0.1:{FreePort.Next()}"));
        await using var _ = proxy;

        var response = await FrontClient.RequestAsync(front, FrontClient.Params(), null, default).WaitAsync(Bound);

        Assert.Equal(502, response.Status);
        Assert.True(metrics.Sum("fcgi.backend.errors", Client, ("error.type", "connect")) >= 1, metrics.Describe());
        Assert.True(metrics.Sum("fcgi.backend.errors", Proxy, ("error.type", "not-reached")) >= 1, metrics.Describe());
        Assert.Equal(0, metrics.Sum("fcgi.connections.active", Client));
    }

    [Fact]
    public async Task SupervisedProcessExits_CountsRestarts()
    {
        using var metrics = new MetricsRecorder();
        var dir = Directory.CreateTempSubdirectory("fcgi-metrics-").FullName;
        try
        {
            var pool = new PoolSettings
            {
                Name = "t",
                Spawn = new SpawnSettings
                {
                    Command = "/bin/sh",
                    Args = ["-c", "exit 3"],
                    RestartMinBackoff = TimeSpan.FromMilliseconds(20),
                    RestartMaxBackoff = TimeSpan.FromMilliseconds(40),
                },
            };
            await using var supervisor = new ProcessSupervisor(pool, dir, NullLogger.Instance);

            supervisor.Start();
            await metrics.WaitUntilAsync(m => m.Sum("fcgi.backend.restarts", Proxy) >= 2, "two restarts", Bound);
            await supervisor.StopAsync();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
