using FcgiActors.Actors;
using FcgiActors.Testing;
using static FcgiActors.Actors.Tests.TestActors;

namespace FcgiActors.Actors.Tests;

public sealed class ConcurrencySpecs : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly ActorSystemFixture _kit = new();

    public ValueTask DisposeAsync() => _kit.DisposeAsync();

    private sealed record Numbered(int Producer, int Sequence);

    [Fact]
    public async Task Tell_FromFourThreads_AllArrive_InOrderPerProducer()
    {
        const int producers = 4;
        const int perProducer = 20_000;
        var checker = _kit.System.ActorOf(Props.Create(() => new SequenceChecker(producers)));
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < perProducer; i++)
            {
                checker.Tell(new Numbered(p, i));
            }
        })));

        var seen = await checker.Ask<int[]>("report", Timeout);
        Assert.All(seen, count => Assert.Equal(perProducer, count));
    }

    [Fact]
    public async Task Ask_ManyConcurrent_EachGetsItsOwnReply()
    {
        var echo = _kit.System.ActorOf(Props.Create(() => new Echo()));
        var replies = await Task.WhenAll(Enumerable.Range(0, 2_000).Select(i => echo.Ask<int>(i, Timeout)));
        Assert.Equal(Enumerable.Range(0, 2_000), replies);
    }

    [Fact]
    public async Task TerminateAsync_ThousandActorTree_StopsEveryActorOnce()
    {
        var system = ActorSystem.Create("tree");
        var stops = 0;
        var roots = Enumerable.Range(0, 10)
            .Select(i => system.ActorOf(Props.Create(() => new Fanout(2, 10, () => Interlocked.Increment(ref stops))), "r" + i))
            .ToList();
        foreach (var root in roots)
        {
            Assert.Equal(111, await root.Ask<int>("count", Timeout));
        }

        await system.TerminateAsync(Timeout);
        Assert.Equal(1_110, Volatile.Read(ref stops));
    }

    [Fact]
    public async Task TestProbe_WrongMessage_FailureNamesExpectedAndReceived()
    {
        var probe = _kit.CreateProbe();
        probe.Ref.Tell(42);
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => probe.ExpectMsgAsync<string>());
        Assert.Contains("expected a String", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Int32 '42'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestProbe_NothingArrives_FailureNamesTimeout()
    {
        var probe = _kit.CreateProbe();
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => probe.ExpectMsgAsync<string>(TimeSpan.FromMilliseconds(20)));
        Assert.Contains("within 20 ms but received nothing", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestProbe_WithinAsync_BodyTooSlow_Fails()
    {
        var probe = _kit.CreateProbe();
        await Assert.ThrowsAnyAsync<Exception>(() => probe.WithinAsync(TimeSpan.FromMilliseconds(10), () => probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(50))));
    }

    private sealed class SequenceChecker : ReceiveActor
    {
        public SequenceChecker(int producers)
        {
            var next = new int[producers];
            Receive<Numbered>(n =>
            {
                if (n.Sequence != next[n.Producer])
                {
                    throw new InvalidOperationException($"producer {n.Producer}: expected {next[n.Producer]}, got {n.Sequence}");
                }

                next[n.Producer]++;
            });
            Receive<string>(_ => Sender.Tell(next.ToArray()));
        }

        protected override void PreRestart(Exception reason, object? message) =>
            throw new InvalidOperationException("an out-of-order message restarted the checker", reason);
    }

    /// <summary>A tree: each node has <c>fanout</c> children down to <c>depth</c> levels; counts itself and its subtree.</summary>
    private sealed class Fanout : ReceiveActor
    {
        public Fanout(int depth, int fanout, Action onStop)
        {
            OnStop = onStop;
            var children = depth == 0 ? [] : Enumerable.Range(0, fanout)
                .Select(i => Context.ActorOf(Props.Create(() => new Fanout(depth - 1, fanout, onStop)), "n" + i))
                .ToArray();
            ReceiveAsync<string>(async _ =>
            {
                var counts = await Task.WhenAll(children.Select(c => c.Ask<int>("count", Timeout)));
                Sender.Tell(counts.Sum() + 1);
            });
        }

        private Action OnStop { get; }

        protected override void PostStop() => OnStop();
    }
}
