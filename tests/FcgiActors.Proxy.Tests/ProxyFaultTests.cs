using System.Collections.Concurrent;
using FcgiActors.Protocol;
using FcgiActors.Proxy.Tests.Support;
using FcgiActors.Testing;
using FcgiActors.Testing.Peers;
using static FcgiActors.Proxy.Tests.Support.ProxyHarness;

namespace FcgiActors.Proxy.Tests;

/// <summary>Every fault of issue 4, simulated with scripted backends over loopback.</summary>
public class ProxyFaultTests
{
    /// <summary>
    /// A multiplexing backend: answers GET_VALUES with MPXS_CONNS=1; a request whose QUERY_STRING
    /// is "hold" is answered only on ABORT_REQUEST (END_REQUEST at once, §5.4); others at once.
    /// </summary>
    private static async Task MultiplexingScript(ScriptedBackend.BackendConnection c, ConcurrentQueue<ushort> held)
    {
        while (await c.ReadAsync() is { } record)
        {
            switch (record.Type)
            {
                case RecordType.GetValues:
                    await c.WriteAsync(ScriptedBackend.BackendConnection.GetValuesResult(mpxs: true));
                    break;
                case RecordType.Stdin when record.Content.Length == 0:
                    if (c.QueryOf(record.RequestId) == "hold")
                    {
                        held.Enqueue(record.RequestId);
                    }
                    else
                    {
                        await c.RespondAsync(record.RequestId, "\r\nanswer-" + c.QueryOf(record.RequestId));
                    }

                    break;
                case RecordType.AbortRequest:
                    await c.WriteAsync(Records.EndRequest(record.RequestId, 0));
                    break;
            }
        }
    }

    [Fact]
    public async Task FrontDisconnects_BackendRequestAborted_SharedConnectionStaysUp()
    {
        var held = new ConcurrentQueue<ushort>();
        await using var backend = new ScriptedBackend(c => MultiplexingScript(c, held));
        var (proxy, front) = await StartAsync(Pool(new PoolSettings { Backends = [backend.Address], MaxConnectionsPerBackend = 1 }));
        await using var _ = proxy;

        var holding = await FrontClient.ConnectAsync(front, default);
        await holding.SendRequestAsync(1, FrontClient.Params("hold"), null, default);
        await WaitUntilAsync(() => !held.IsEmpty, "the backend holds the request");
        // Another front request shares the backend connection while the first is held.
        var other = await FrontClient.RequestAsync(front, FrontClient.Params("during"), null, default).WaitAsync(Bound);
        holding.Abort();
        await WaitUntilAsync(() => backend.Received.Any(r => r.Type == RecordType.AbortRequest), "ABORT_REQUEST reached the backend");
        var after = await FrontClient.RequestAsync(front, FrontClient.Params("after"), null, default).WaitAsync(Bound);

        Assert.Equal("answer-during", other.Body);
        Assert.Equal("answer-after", after.Body);
        held.TryPeek(out var heldId);
        Assert.Contains(backend.Received, r => r.Type == RecordType.AbortRequest && r.RequestId == heldId);
        Assert.Equal(1, backend.Accepted);
        await holding.DisposeAsync();
    }

    [Fact]
    public async Task BackendCrashesBeforeOutput_AffectedRequestGets502_OthersComplete()
    {
        await using var backend = new ScriptedBackend(async c =>
        {
            while (await c.ReadRequestAsync() is { } r)
            {
                if (r.Params["QUERY_STRING"] == "crash")
                {
                    c.Crash();
                    return;
                }

                await Task.Delay(200);
                await c.RespondAsync(r.Id, "\r\nfine");
            }
        });
        var (proxy, front) = await StartAsync(Pool(new PoolSettings { Backends = [backend.Address], Multiplexing = MultiplexingMode.Off }));
        await using var _ = proxy;

        var fine = FrontClient.RequestAsync(front, FrontClient.Params("ok"), null, default);
        var crashed = await FrontClient.RequestAsync(front, FrontClient.Params("crash"), null, default).WaitAsync(Bound);

        Assert.Equal(502, crashed.Status);
        Assert.Equal("fine", (await fine.WaitAsync(Bound)).Body);
    }

    [Fact]
    public async Task BackendCrashesAfterOutput_FrontKeepsPartialOutputAndFailingAppStatus()
    {
        await using var backend = new ScriptedBackend(async c =>
        {
            var r = await c.ReadRequestAsync();
            await c.WriteAsync(Records.Stream(RecordType.Stdout, r!.Id, "Content-Type: text/plain\r\n\r\npartial"u8.ToArray()));
            await Task.Delay(100);
            c.Crash();
        });
        var (proxy, front) = await StartAsync(Pool(backend.Address));
        await using var _ = proxy;

        var response = await FrontClient.RequestAsync(front, FrontClient.Params(), null, default).WaitAsync(Bound);

        Assert.Equal(200, response.Status);
        Assert.Equal("partial", response.Body);
        Assert.NotEqual(0, response.AppStatus);
    }

    [Fact]
    public async Task BackendRefusesConnections_RequestRetriedOnAnotherBackend()
    {
        var dead = $"127.0.0.1:{FreePort.Next()}";
        await using var alive = new ScriptedBackend(async c =>
        {
            while (await c.ReadRequestAsync() is { } r)
            {
                await c.RespondAsync(r.Id, "\r\nalive");
            }
        });
        var (proxy, front) = await StartAsync(Pool(dead, alive.Address));
        await using var _ = proxy;

        for (var i = 0; i < 6; i++)
        {
            var response = await FrontClient.RequestAsync(front, FrontClient.Params(), null, default).WaitAsync(Bound);
            Assert.Equal("alive", response.Body);
        }
    }

    [Fact]
    public async Task BackendKeepsFailing_IsTakenOut_ThenProbedBackIn()
    {
        var port = FreePort.Next();
        await using var other = new ScriptedBackend(async c =>
        {
            while (await c.ReadRequestAsync() is { } r)
            {
                await c.RespondAsync(r.Id, "\r\nother");
            }
        });
        var (proxy, front) = await StartAsync(Pool($"127.0.0.1:{port}", other.Address));
        await using var _ = proxy;
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("other", (await FrontClient.RequestAsync(front, FrontClient.Params(), null, default).WaitAsync(Bound)).Body);
        }

        // The failed backend comes back on its port: probes bring it back in.
        await using var revived = new ScriptedBackend(async c =>
        {
            while (await c.ReadRequestAsync() is { } r)
            {
                await c.RespondAsync(r.Id, "\r\nrevived");
            }
        }, port);
        using var deadline = new CancellationTokenSource(Bound);
        while (true)
        {
            var response = await FrontClient.RequestAsync(front, FrontClient.Params(), null, deadline.Token);
            if (response.Body == "revived")
            {
                break;
            }

            Assert.Equal("other", response.Body);
            await Task.Delay(20, deadline.Token);
        }
    }

    [Fact]
    public async Task PoolFull_NoQueue_AnswersOverloadPolicy503ThenOverloaded()
    {
        var held = new ConcurrentQueue<ushort>();
        await using var backend = new ScriptedBackend(c => MultiplexingScript(c, held));
        var (proxy, front) = await StartAsync(Pool(new PoolSettings { Backends = [backend.Address], MaxConcurrency = 1, QueueSize = 0 }));
        await using var _ = proxy;
        await using var holding = await FrontClient.ConnectAsync(front, default);
        await holding.SendRequestAsync(1, FrontClient.Params("hold"), null, default);
        await WaitUntilAsync(() => !held.IsEmpty, "the backend holds the request");

        var response = await FrontClient.RequestAsync(front, FrontClient.Params("x"), null, default).WaitAsync(Bound);

        Assert.Equal(503, response.Status);
        Assert.Equal(ProtocolStatus.Overloaded, response.ProtocolStatus);
        Assert.Contains("busy", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueuedPastQueueTimeout_Answers503()
    {
        var held = new ConcurrentQueue<ushort>();
        await using var backend = new ScriptedBackend(c => MultiplexingScript(c, held));
        var pool = new PoolSettings { Backends = [backend.Address], MaxConcurrency = 1, QueueSize = 4, QueueTimeout = TimeSpan.FromMilliseconds(200) };
        var (proxy, front) = await StartAsync(Pool(pool));
        await using var _ = proxy;
        await using var holding = await FrontClient.ConnectAsync(front, default);
        await holding.SendRequestAsync(1, FrontClient.Params("hold"), null, default);
        await WaitUntilAsync(() => !held.IsEmpty, "the backend holds the request");

        var started = DateTime.UtcNow;
        var response = await FrontClient.RequestAsync(front, FrontClient.Params("x"), null, default).WaitAsync(Bound);

        Assert.Equal(503, response.Status);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(150));
    }
}
