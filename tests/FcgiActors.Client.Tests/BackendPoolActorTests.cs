using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using FcgiActors.Client.Tests.Support;
using FcgiActors.Protocol;
using FcgiActors.Testing;

namespace FcgiActors.Client.Tests;

/// <summary>The pool actor behind <see cref="BackendPool"/>, over scripted in-memory connections.</summary>
public sealed class BackendPoolActorTests : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly ActorSystemFixture _kit = new("pool");

    public ValueTask DisposeAsync() => _kit.DisposeAsync();

    private BackendPool Pool(ScriptedConnector connector, ClientSettings settings) =>
        new(ScriptedBackend.Address, settings, loggerFactory: null, _kit.System, connector.Connector);

    [Fact]
    public async Task ConnectFailures_AreRetriedUnderSupervision_WithDoublingBackoff_ThenTheConnectionServes()
    {
        var refused = new SocketException((int)SocketError.ConnectionRefused);
        var connector = new ScriptedConnector(refused, refused, refused);
        var settings = ClientSettings.Default with
        {
            ProbeMultiplexing = false,
            ReconnectMinBackoff = TimeSpan.FromMilliseconds(100),
            ReconnectMaxBackoff = TimeSpan.FromMilliseconds(400),
        };
        await using var pool = Pool(connector, settings);

        var first = await Assert.ThrowsAsync<FcgiBackendException>(() => pool.SendAsync(ResponseReader.Request()));
        Assert.False(first.RequestStarted);
        Assert.False(pool.IsHealthy);
        var fast = await Assert.ThrowsAsync<FcgiBackendException>(() => pool.SendAsync(ResponseReader.Request()));
        Assert.Contains("next connect attempt", fast.Message);

        // The fourth attempt is the third restart of the same connection actor; it succeeds.
        var backend = await connector.AcceptAsync();
        await WaitUntilAsync(() => pool.IsHealthy);
        var attempts = connector.Attempts;
        Assert.Equal(4, attempts.Length);
        var gaps = attempts.Zip(attempts.Skip(1), (x, y) => y - x).ToArray();
        long[] floors = [100, 200, 400];
        Assert.All(gaps.Zip(floors), g => Assert.True(g.First >= g.Second - 20, $"gaps {string.Join(", ", gaps)} ms"));

        var response = await pool.SendAsync(ResponseReader.Request());
        await backend.ReadRequestAsync(1);
        await backend.SendAsync(ScriptedBackend.Answer(1, "back"));
        Assert.Equal("back", (await ResponseReader.ReadAllAsync(response)).Stdout);
        Assert.Equal(1, pool.OpenConnections);
    }

    [Fact]
    public async Task ConnectionDies_BeforeTheRequestWasWritten_ItMovesToANewConnection_TheWrittenOneFails()
    {
        var connector = new ScriptedConnector(ScriptedConnector.Tight);
        var settings = ClientSettings.Default with { AssumeMultiplexing = true, MaxConnectionsPerBackend = 2 };
        await using var pool = Pool(connector, settings);
        var a = pool.SendAsync(ResponseReader.Request("a"));
        var first = await connector.AcceptAsync();
        Assert.False(await first.ReadsNothingAsync(Wait)); // A's head is in the socket; the writer waits
        var b = pool.SendAsync(ResponseReader.Request("b-body"));

        await first.AbortAsync();

        var error = await Assert.ThrowsAsync<FcgiBackendException>(() => a.WaitAsync(Wait));
        Assert.True(error.RequestStarted); // bytes of A reached the socket: never retried
        var second = await connector.AcceptAsync();
        var records = await second.ReadRequestAsync(1);
        Assert.Equal("b-body", Encoding.UTF8.GetString(RecordCollector.StreamContent(records, RecordType.Stdin, 1)));
        await second.SendAsync(ScriptedBackend.Answer(1, "B"));
        var response = await b.WaitAsync(Wait);
        Assert.True(response.RequestStarted);
        Assert.Equal("B", (await ResponseReader.ReadAllAsync(response)).Stdout);
    }

    [Fact]
    public async Task AllConnectionsBusy_QueueFull_FailsFast_QueuedOneRunsNext()
    {
        var connector = new ScriptedConnector();
        var settings = ClientSettings.Default with { ProbeMultiplexing = false, MaxConnectionsPerBackend = 1, MaxQueuedRequests = 1 };
        await using var pool = Pool(connector, settings);
        var a = pool.SendAsync(ResponseReader.Request("a"));
        var backend = await connector.AcceptAsync();
        await backend.ReadRequestAsync(1);
        var running = await a.WaitAsync(Wait);

        var queued = pool.SendAsync(ResponseReader.Request("b"));
        var refused = await Assert.ThrowsAsync<FcgiBackendException>(() => pool.SendAsync(ResponseReader.Request("c")));
        Assert.False(refused.RequestStarted);
        Assert.Contains("queued", refused.Message);
        Assert.False(queued.IsCompleted);

        await backend.SendAsync(ScriptedBackend.Answer(1, "A"));
        Assert.Equal("A", (await ResponseReader.ReadAllAsync(running)).Stdout);
        var records = await backend.ReadRequestAsync(1); // the same kept connection, ID 1 again
        Assert.Equal("b", Encoding.UTF8.GetString(RecordCollector.StreamContent(records, RecordType.Stdin, 1)));
        await backend.SendAsync(ScriptedBackend.Answer(1, "B"));
        Assert.Equal("B", (await ResponseReader.ReadAllAsync(await queued.WaitAsync(Wait))).Stdout);
        Assert.Single(connector.Attempts);
    }

    [Fact]
    public async Task FreedSlot_TakesTheQueueHeadInOrder_SkipsCancelled_AndThePoolsCountStaysExact()
    {
        var connector = new ScriptedConnector();
        var settings = ClientSettings.Default with { ProbeMultiplexing = false, MaxConnectionsPerBackend = 1, MaxQueuedRequests = 8 };
        await using var pool = Pool(connector, settings);
        var a = pool.SendAsync(ResponseReader.Request("a"));
        var backend = await connector.AcceptAsync();
        await backend.ReadRequestAsync(1);
        var running = await a.WaitAsync(Wait);
        var b = pool.SendAsync(ResponseReader.Request("b"));
        using var giveUp = new CancellationTokenSource();
        var c = pool.SendAsync(ResponseReader.Request("c"), giveUp.Token);
        var d = pool.SendAsync(ResponseReader.Request("d"));
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => c.WaitAsync(Wait));

        // Each END_REQUEST hands the freed slot to the oldest waiting request, on the same connection.
        foreach (var (answer, next, body) in new[] { ("A", b, "b"), ("B", d, "d") })
        {
            await backend.SendAsync(ScriptedBackend.Answer(1, answer));
            var records = await backend.ReadRequestAsync(1);
            Assert.Equal(body, Encoding.UTF8.GetString(RecordCollector.StreamContent(records, RecordType.Stdin, 1)));
            await ResponseReader.ReadAllAsync(running);
            running = await next.WaitAsync(Wait);
        }

        await backend.SendAsync(ScriptedBackend.Answer(1, "D"));
        Assert.Equal("D", (await ResponseReader.ReadAllAsync(running)).Stdout);
        // The pool counted the hand-offs: its one slot is free again, so a new request starts at once.
        var e = pool.SendAsync(ResponseReader.Request("e"));
        var last = await backend.ReadRequestAsync(1);
        Assert.Equal("e", Encoding.UTF8.GetString(RecordCollector.StreamContent(last, RecordType.Stdin, 1)));
        await backend.SendAsync(ScriptedBackend.Answer(1, "E"));
        Assert.Equal("E", (await ResponseReader.ReadAllAsync(await e.WaitAsync(Wait))).Stdout);
        Assert.Single(connector.Attempts);
        await WaitUntilAsync(() => pool.OutstandingRequests == 0);
    }

    [Fact]
    public async Task Dispose_FailsQueuedRequests_AndRefusesNewOnes()
    {
        var connector = new ScriptedConnector();
        var settings = ClientSettings.Default with { ProbeMultiplexing = false, MaxConnectionsPerBackend = 1 };
        var pool = Pool(connector, settings);
        var a = pool.SendAsync(ResponseReader.Request());
        var backend = await connector.AcceptAsync();
        await backend.ReadRequestAsync(1);
        var running = await a.WaitAsync(Wait);
        var queued = pool.SendAsync(ResponseReader.Request());

        await pool.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => queued.WaitAsync(Wait));
        var cut = await Assert.ThrowsAsync<FcgiBackendException>(() => running.Completion.WaitAsync(Wait));
        Assert.True(cut.RequestStarted);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pool.SendAsync(ResponseReader.Request()));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(Wait);
        while (!condition())
        {
            await Task.Delay(10, cts.Token);
        }
    }
}
