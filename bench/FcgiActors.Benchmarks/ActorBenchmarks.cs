using BenchmarkDotNet.Attributes;
using FcgiActors.Actors;

namespace FcgiActors.Benchmarks;

/// <summary>
/// Kernel hot paths: Tell into an unbounded mailbox (one producer), Tell from several producers at
/// once, waking an idle actor with Tell and with TellFromIo, and an Ask round trip. Messages are preallocated so only the kernel's allocations show.
/// dotnet run -c Release --project bench/FcgiActors.Benchmarks -- --filter '*Actor*' --job short --memory
/// </summary>
[MemoryDiagnoser]
public class ActorBenchmarks
{
    private const int Messages = 100_000;
    private const int Producers = 4;
    private static readonly object Ping = new();

    private ActorSystem _system = null!;
    private IActorRef _counter = null!;
    private IActorRef _echo = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("bench");
        _counter = _system.ActorOf(Props.Create(() => new Counter()), "counter");
        _echo = _system.ActorOf(Props.Create(() => new Echo()), "echo");
    }

    [GlobalCleanup]
    public Task CleanupAsync() => _system.TerminateAsync(TimeSpan.FromSeconds(10));

    /// <summary>100k Tells from one thread, then waits until the actor has processed them all.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task Tell_OneProducer()
    {
        var done = new Drained(Messages);
        _counter.Tell(done);
        for (var i = 0; i < Messages; i++)
        {
            _counter.Tell(Ping);
        }

        await done.Completion.Task.ConfigureAwait(false);
    }

    /// <summary>100k Tells split over 4 concurrent producers into one mailbox.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task Tell_FourProducers()
    {
        var done = new Drained(Messages);
        _counter.Tell(done);
        var producers = new Task[Producers];
        for (var p = 0; p < Producers; p++)
        {
            producers[p] = Task.Run(() =>
            {
                for (var i = 0; i < Messages / Producers; i++)
                {
                    _counter.Tell(Ping);
                }
            });
        }

        await Task.WhenAll(producers).ConfigureAwait(false);
        await done.Completion.Task.ConfigureAwait(false);
    }

    /// <summary>One message to an idle actor, until it is processed: Tell queues the actor's turn on the pool.</summary>
    [Benchmark]
    public Task Tell_IdleActor() => OneMessageAsync(static (actor, message) => actor.Tell(message));

    /// <summary>The same with TellFromIo from a thread that runs no actor: the turn runs on the caller's thread.</summary>
    [Benchmark]
    public Task TellFromIo_IdleActor() => OneMessageAsync(static (actor, message) => actor.TellFromIo(message));

    private async Task OneMessageAsync(Action<IActorRef, object> tell)
    {
        var done = new Drained(1);
        tell(_counter, done);
        tell(_counter, Ping);
        await done.Completion.Task.ConfigureAwait(false);
    }

    /// <summary>One Ask: temporary reply ref, Tell, reply, await.</summary>
    [Benchmark]
    public Task<object> Ask_RoundTrip() => _echo.Ask<object>(Ping, TimeSpan.FromSeconds(5));

    private sealed class Drained(int expected)
    {
        public int Expected { get; } = expected;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Counter : ReceiveActor
    {
        private Drained? _pending;
        private int _count;

        public Counter()
        {
            Receive<Drained>(d =>
            {
                _pending = d;
                _count = 0;
            });
            ReceiveAny(_ =>
            {
                if (++_count == _pending!.Expected)
                {
                    _pending.Completion.SetResult();
                }
            });
        }
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m, Self));
    }
}
