using System.Collections.Concurrent;
using System.Net;
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

    /// <summary>A proxy allowed one connection to a <see cref="SilentMultiplexer"/> that holds a first request, "hold".</summary>
    private sealed class HeldRequest : IAsyncDisposable
    {
        private FcgiProxy? _proxy;

        private HeldRequest() => Backend = new ScriptedBackend(c => SilentMultiplexer(c, HeldIds, Release));

        public ScriptedBackend Backend { get; }

        public ConcurrentQueue<ushort> HeldIds { get; } = new();

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public EndPoint Front { get; private set; } = null!;

        public Task<FrontResponse> Holding { get; private set; } = null!;

        public static async Task<HeldRequest> StartAsync(MultiplexingMode mode)
        {
            var held = new HeldRequest();
            try
            {
                (held._proxy, held.Front) = await ProxyHarness.StartAsync(Pool(new PoolSettings
                {
                    Backends = [held.Backend.Address],
                    MaxConnectionsPerBackend = 1,
                    Multiplexing = mode,
                }));
                held.Holding = FrontClient.RequestAsync(held.Front, FrontClient.Params("hold"), null, default);
                await WaitUntilAsync(() => !held.HeldIds.IsEmpty, "the backend holds the first request");
                return held;
            }
            catch
            {
                await held.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_proxy is not null)
            {
                await _proxy.DisposeAsync();
            }

            await Backend.DisposeAsync();
        }
    }

    [Fact]
    public async Task MultiplexingOn_SendsNoGetValues_AndSharesOneConnection()
    {
        await using var held = await HeldRequest.StartAsync(MultiplexingMode.On);
        // With one connection allowed, a second request can only run beside the held one if multiplexed.
        var during = await FrontClient.RequestAsync(held.Front, FrontClient.Params("during"), null, default).WaitAsync(Bound);
        held.Release.SetResult();
        var first = await held.Holding.WaitAsync(Bound);

        Assert.Equal("answer-during", during.Body);
        Assert.Equal("answer-hold", first.Body);
        Assert.Equal(1, held.Backend.Accepted);
        Assert.DoesNotContain(held.Backend.Received, r => r.Type == RecordType.GetValues);
        Assert.Contains(held.Backend.Received, r => r.Type == RecordType.BeginRequest && r.RequestId == 2);
    }

    [Fact]
    public async Task MultiplexingAuto_UnansweredProbe_KeepsOneRequestPerConnection()
    {
        await using var held = await HeldRequest.StartAsync(MultiplexingMode.Auto);
        var during = FrontClient.RequestAsync(held.Front, FrontClient.Params("during"), null, default);
        // Never pipelined on a connection that did not say it multiplexes: "during" waits for "hold".
        await Task.WhenAny(during, Task.Delay(TimeSpan.FromMilliseconds(300)));
        Assert.False(during.IsCompleted);
        held.Release.SetResult();

        Assert.Equal("answer-hold", (await held.Holding.WaitAsync(Bound)).Body);
        Assert.Equal("answer-during", (await during.WaitAsync(Bound)).Body);
        Assert.Contains(held.Backend.Received, r => r.Type == RecordType.GetValues);
        Assert.DoesNotContain(held.Backend.Received, r => r.Type == RecordType.BeginRequest && r.RequestId == 2);
    }
}
