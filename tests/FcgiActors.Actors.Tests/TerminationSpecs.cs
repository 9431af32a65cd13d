using FcgiActors.Actors;
using FcgiActors.Testing;
using static FcgiActors.Actors.Tests.TestActors;

namespace FcgiActors.Actors.Tests;

public sealed class TerminationSpecs
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task TerminateAsync_StopsLeavesFirst_PostStopEverywhere_WhenTerminatedCompletes()
    {
        var system = ActorSystem.Create("terminate");
        var log = new List<string>();
        var recorder = new Recorder(log);
        var a = system.ActorOf(Props.Create(() => new Node(recorder, 2)), "a");
        var b = system.ActorOf(Props.Create(() => new Node(recorder, 0)), "b");
        Assert.Equal(3, await a.Ask<int>("count", Timeout));
        Assert.Equal(1, await b.Ask<int>("count", Timeout));

        await system.TerminateAsync(Timeout);

        Assert.True(system.WhenTerminated.IsCompletedSuccessfully);
        string[] stopped;
        lock (log)
        {
            stopped = [.. log];
        }

        Assert.Equal(["/user/a/1/2", "/user/a/1", "/user/a"], stopped.Where(p => p.StartsWith("/user/a", StringComparison.Ordinal)));
        Assert.Contains("/user/b", stopped);
        Assert.Equal(4, stopped.Length);
    }

    [Fact]
    public async Task TerminateAsync_Then_ActorOfThrows()
    {
        var system = ActorSystem.Create("after");
        await system.TerminateAsync(Timeout);
        Assert.Throws<InvalidOperationException>(() => system.ActorOf(Props.Create(() => new Echo())));
    }

    [Fact]
    public async Task TerminateAsync_CalledTwice_BothComplete()
    {
        var system = ActorSystem.Create("twice");
        system.ActorOf(Props.Create(() => new Echo()));
        await Task.WhenAll(system.TerminateAsync(Timeout), system.TerminateAsync(Timeout));
        await system.DisposeAsync();
    }

    [Fact]
    public async Task TerminateAsync_HandlerNeverCompletes_ThrowsTimeout()
    {
        var system = ActorSystem.Create("stuck");
        var never = new TaskCompletionSource();
        var blocking = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = system.ActorOf(Props.Create(() => new Stuck(blocking, never.Task)));
        actor.Tell("block");
        await blocking.Task.WaitAsync(Timeout);
        await Assert.ThrowsAsync<TimeoutException>(() => system.TerminateAsync(TimeSpan.FromMilliseconds(100)));
        never.SetResult();
        await system.WhenTerminated.WaitAsync(Timeout);
    }

    [Fact]
    public async Task EscalationToUserGuardian_TerminatesSystem()
    {
        await using var system = ActorSystem.Create("escalate");
        var probe = new TestProbe(system);
        var top = system.ActorOf(WorkerProps(probe.Ref, new OneForOneStrategy(_ => Directive.Escalate)), "top");
        var child = await top.Ask<IActorRef>(new Spawn(WorkerProps(probe.Ref, new OneForOneStrategy(_ => Directive.Escalate)), "mid"), Timeout);
        var leaf = await child.Ask<IActorRef>(new Spawn(Props.Create(() => new Echo()), "leaf"), Timeout);
        Assert.NotNull(leaf);

        // /user uses the default strategy (restart), so a top-level actor's escalation restarts it, not the system.
        child.Tell(new Fail("up"));
        await probe.FishForMessageAsync<Lifecycle>(l => l.Event == "PostRestart:up" && l.Path == "/user/top");
        Assert.False(system.WhenTerminated.IsCompleted);
    }

    private sealed class Recorder(List<string> log)
    {
        public void Add(string path)
        {
            lock (log)
            {
                log.Add(path);
            }
        }
    }

    /// <summary>Builds a chain of <c>depth</c> descendants named 1, 2, ...; records its PostStop.</summary>
    private sealed class Node : ReceiveActor
    {
        private readonly Recorder _recorder;
        private readonly IActorRef? _child;

        public Node(Recorder recorder, int depth)
        {
            _recorder = recorder;
            if (depth > 0)
            {
                _child = Context.ActorOf(Props.Create(() => new Node(recorder, depth - 1)), (3 - depth).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            ReceiveAsync<string>(async _ =>
            {
                var below = _child is null ? 0 : await _child.Ask<int>("count", Timeout);
                Sender.Tell(below + 1);
            });
        }

        protected override void PostStop() => _recorder.Add(Self.Path);
    }

    private sealed class Stuck : ReceiveActor
    {
        public Stuck(TaskCompletionSource blocking, Task never) => ReceiveAsync<string>(_ =>
        {
            blocking.TrySetResult();
            return never;
        });
    }
}
