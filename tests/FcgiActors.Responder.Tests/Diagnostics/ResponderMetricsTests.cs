using FcgiActors.Protocol;
using FcgiActors.Responder.Tests.Support;
using FcgiActors.Testing;

namespace FcgiActors.Responder.Tests.Diagnostics;

/// <summary>The responder's instruments, read by meter name over real loopback traffic.</summary>
[Collection(MetricsCollection.Name)]
public sealed class ResponderMetricsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly (string, string) Responder = ("component", "responder");

    [Fact]
    public async Task Request_Completed_CountsConnectionRequestAndBytes()
    {
        using var metrics = new MetricsRecorder();
        await using var server = await TestServer.StartAsync(EchoHandler.HandleAsync);
        var request = TestServer.Request(1, TestServer.Post(5), "abcde"u8.ToArray(), BeginRequestFlags.None);
        long received;
        await using (var connection = await server.ConnectAsync())
        {
            await connection.SendAsync(request);
            var records = await connection.ReadToCloseAsync();
            received = records.Sum(r => (long)FcgiConstants.HeaderLength + r.Header.ContentLength + r.Header.PaddingLength);
        }

        await metrics.WaitUntilAsync(m => m.Count("fcgi.connections.active", Responder) == 2, "connection opened and closed", Bound);
        Assert.Equal(0, metrics.Sum("fcgi.connections.active", Responder));
        Assert.Equal(1, metrics.Measurements.Count(m => m.Name == "fcgi.requests.active" && m.Value == 1));
        Assert.Equal(0, metrics.Sum("fcgi.requests.active", Responder));
        Assert.Equal(1, metrics.Sum("fcgi.requests", Responder, ("outcome", "completed")));
        Assert.Equal(1, metrics.Sum("fcgi.requests", Responder));
        Assert.Equal(request.Length, metrics.Sum("fcgi.bytes.received", Responder));
        Assert.Equal(received, metrics.Sum("fcgi.bytes.sent", Responder));
    }

    [Fact]
    public async Task RefusedRequests_AreCountedByOutcome()
    {
        using var metrics = new MetricsRecorder();
        var release = new TaskCompletionSource();
        var settings = ResponderSettings.Default with { Multiplexing = false };
        await using var server = await TestServer.StartAsync(async c => await release.Task.WaitAsync(c.Aborted), settings);
        await using var connection = await server.ConnectAsync();

        await connection.SendAsync(TestServer.Request(1, TestServer.Get(), role: (Role)9));
        await connection.ReadUntilEndAsync(1);
        await connection.SendAsync(TestServer.Request(2, TestServer.Get()));
        await connection.SendAsync(TestServer.Request(3, TestServer.Get()));
        await connection.ReadUntilEndAsync(3);
        release.SetResult();
        await connection.ReadUntilEndAsync(2);

        await metrics.WaitUntilAsync(m => m.Sum("fcgi.requests", Responder) == 3, "three requests ended", Bound);
        Assert.Equal(1, metrics.Sum("fcgi.requests", Responder, ("outcome", "unknown-role")));
        Assert.Equal(1, metrics.Sum("fcgi.requests", Responder, ("outcome", "cant-mpx")));
        Assert.Equal(1, metrics.Sum("fcgi.requests", Responder, ("outcome", "completed")));
        Assert.Equal(0, metrics.Sum("fcgi.requests.active", Responder));
    }

    [Fact]
    public async Task AbortRequest_And_ConnectionLoss_AreCountedAsAborted()
    {
        using var metrics = new MetricsRecorder();
        var started = new TaskCompletionSource();
        await using var server = await TestServer.StartAsync(async c =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, c.Aborted);
        });

        await using (var connection = await server.ConnectAsync())
        {
            await connection.SendAsync(TestServer.Request(1, TestServer.Get()));
            await started.Task.WaitAsync(Bound);
            await connection.SendAsync(Records.MakeRecord(RecordType.AbortRequest, 1, []));
            await connection.ReadUntilEndAsync(1);
        }

        started = new TaskCompletionSource();
        var lost = await server.ConnectAsync();
        await lost.SendAsync(TestServer.Request(1, TestServer.Get()));
        await started.Task.WaitAsync(Bound);
        await lost.DisposeAsync();

        await metrics.WaitUntilAsync(m => m.Sum("fcgi.requests", Responder) == 2 && m.Sum("fcgi.connections.active", Responder) == 0,
            "two requests ended and both connections closed", Bound);
        Assert.Equal(2, metrics.Sum("fcgi.requests", Responder, ("outcome", "aborted")));
        Assert.Equal(0, metrics.Sum("fcgi.requests.active", Responder));
    }

    [Fact]
    public async Task HandlerFailure_IsCountedAsError()
    {
        using var metrics = new MetricsRecorder();
        await using var server = await TestServer.StartAsync(_ => throw new InvalidOperationException("handler failed"));
        await using var connection = await server.ConnectAsync();

        await connection.SendAsync(TestServer.Request(1, TestServer.Get()));
        await connection.ReadUntilEndAsync(1);

        await metrics.WaitUntilAsync(m => m.Sum("fcgi.requests", Responder) == 1, "the request ended", Bound);
        Assert.Equal(1, metrics.Sum("fcgi.requests", Responder, ("outcome", "error")));
    }

    [Fact]
    public void Listener_ByMeterName_IsOfferedEveryInstrument()
    {
        _ = FcgiActors.Diagnostics.FcgiInstruments.Meter;
        using var metrics = new MetricsRecorder();

        Assert.Equal(
            ["fcgi.backend.errors", "fcgi.backend.restarts", "fcgi.bytes.received", "fcgi.bytes.sent", "fcgi.connections.active",
             "fcgi.proxy.overloaded", "fcgi.proxy.queue.depth", "fcgi.request.duration", "fcgi.requests", "fcgi.requests.active"],
            metrics.Instruments.Order(StringComparer.Ordinal));
    }
}
