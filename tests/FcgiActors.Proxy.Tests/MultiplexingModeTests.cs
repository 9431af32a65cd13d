using System.Collections.Concurrent;
using FcgiActors.Protocol;
using FcgiActors.Proxy.Tests.Support;
using static FcgiActors.Proxy.Tests.Support.ProxyHarness;

namespace FcgiActors.Proxy.Tests;

/// <summary>fcgi.proxy.pools.NAME.multiplexing against a backend that multiplexes but never answers GET_VALUES.</summary>
public class MultiplexingModeTests
{
    /// <summary>
    /// Takes interleaved requests on one connection; ignores GET_VALUES (as a multiplexing
    /// application may); holds a request whose QUERY_STRING is "hold" until the test releases it.
    /// </summary>
    private static async Task SilentMultiplexer(ScriptedBackend.BackendConnection c, ConcurrentQueue<ushort> held, TaskCompletionSource release)
    {
        while (await c.ReadAsync() is { } record)
        {
            switch (record.Type)
            {
                case RecordType.Stdin when record.Content.Length == 0 && c.QueryOf(record.RequestId) == "hold":
                    held.Enqueue(record.RequestId);
                    var id = record.RequestId;
                    _ = release.Task.ContinueWith(_ => c.RespondAsync(id, "\r\nanswer-hold"), TaskScheduler.Default);
                    break;
                case RecordType.Stdin when record.Content.Length == 0:
                    await c.RespondAsync(record.RequestId, "\r\nanswer-" + c.QueryOf(record.RequestId));
                    break;
            }
        }
    }

    [Fact]
    public async Task MultiplexingOn_SendsNoGetValues_AndSharesOneConnection()
    {
        var held = new ConcurrentQueue<ushort>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = new ScriptedBackend(c => SilentMultiplexer(c, held, release));
        var (proxy, front) = await StartAsync(Pool(new PoolSettings
        {
            Backends = [backend.Address],
            MaxConnectionsPerBackend = 1,
            Multiplexing = MultiplexingMode.On,
        }));
        await using var _ = proxy;

        var holding = FrontClient.RequestAsync(front, FrontClient.Params("hold"), null, default);
        await WaitUntilAsync(() => !held.IsEmpty, "the backend holds the first request");
        // With one connection allowed, a second request can only run beside the held one if multiplexed.
        var during = await FrontClient.RequestAsync(front, FrontClient.Params("during"), null, default).WaitAsync(Bound);
        release.SetResult();
        var first = await holding.WaitAsync(Bound);

        Assert.Equal("answer-during", during.Body);
        Assert.Equal("answer-hold", first.Body);
        Assert.Equal(1, backend.Accepted);
        Assert.DoesNotContain(backend.Received, r => r.Type == RecordType.GetValues);
        Assert.Contains(backend.Received, r => r.Type == RecordType.BeginRequest && r.RequestId == 2);
    }

    [Fact]
    public async Task MultiplexingAuto_UnansweredProbe_KeepsOneRequestPerConnection()
    {
        var held = new ConcurrentQueue<ushort>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = new ScriptedBackend(c => SilentMultiplexer(c, held, release));
        var (proxy, front) = await StartAsync(Pool(new PoolSettings
        {
            Backends = [backend.Address],
            MaxConnectionsPerBackend = 1,
            Multiplexing = MultiplexingMode.Auto,
        }));
        await using var _ = proxy;

        var holding = FrontClient.RequestAsync(front, FrontClient.Params("hold"), null, default);
        await WaitUntilAsync(() => !held.IsEmpty, "the backend holds the first request");
        var during = FrontClient.RequestAsync(front, FrontClient.Params("during"), null, default);
        // Never pipelined on a connection that did not say it multiplexes: "during" waits for "hold".
        await Task.WhenAny(during, Task.Delay(TimeSpan.FromMilliseconds(300)));
        Assert.False(during.IsCompleted);
        release.SetResult();

        Assert.Equal("answer-hold", (await holding.WaitAsync(Bound)).Body);
        Assert.Equal("answer-during", (await during.WaitAsync(Bound)).Body);
        Assert.Contains(backend.Received, r => r.Type == RecordType.GetValues);
        Assert.DoesNotContain(backend.Received, r => r.Type == RecordType.BeginRequest && r.RequestId == 2);
    }
}
