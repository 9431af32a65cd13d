using FcgiActors.Actors;
using FcgiActors.Testing;
using static FcgiActors.Actors.Tests.TestActors;

namespace FcgiActors.Actors.Tests;

public sealed class TellSpecs : IAsyncDisposable
{
    private readonly ActorSystemFixture _kit = new();

    public ValueTask DisposeAsync() => _kit.DisposeAsync();

    [Fact]
    public async Task Tell_ManyMessagesFromOneSender_ArriveInOrder()
    {
        var probe = _kit.CreateProbe();
        var forwarder = _kit.System.ActorOf(Props.Create(() => new Forwarder(probe.Ref)));
        for (var i = 0; i < 1000; i++)
        {
            forwarder.Tell(i);
        }

        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(i, await probe.ExpectMsgAsync<int>());
        }
    }

    [Fact]
    public async Task Tell_WithSender_HandlerSeesSender()
    {
        var probe = _kit.CreateProbe();
        var echo = _kit.System.ActorOf(Props.Create(() => new Echo()));
        probe.Send(echo, "hello");
        Assert.Equal("hello", await probe.ExpectMsgAsync<string>());
        Assert.Equal(echo, probe.LastSender);
    }

    [Fact]
    public async Task Tell_WithoutSender_SenderIsNobody()
    {
        var probe = _kit.CreateProbe();
        var forwarder = _kit.System.ActorOf(Props.Create(() => new Forwarder(probe.Ref)));
        forwarder.Tell("anonymous");
        await probe.ExpectMsgAsync<string>();
        Assert.Equal(ActorRefs.Nobody, probe.LastSender);
    }

    [Fact]
    public async Task TellFromIo_IdleActor_RunsItsTurnOnTheCallingThread()
    {
        var probe = _kit.CreateProbe();
        var actor = _kit.System.ActorOf(Props.Create(() => new ThreadReporter(probe.Ref)));

        // A turn that is still ending (the actor's creation, the previous attempt) makes
        // TellFromIo queue the message, as it must; once the actor is idle the turn runs on the
        // calling thread. Each attempt waits for the report, so the actor is soon idle.
        int caller = 0, ranOn = -1;
        for (var attempt = 0; attempt < 20 && ranOn != caller; attempt++)
        {
            caller = await Task.Factory.StartNew(() =>
            {
                actor.TellFromIo("io");
                return Environment.CurrentManagedThreadId;
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            ranOn = await probe.ExpectMsgAsync<int>();
        }

        Assert.Equal(caller, ranOn);
    }

    [Fact]
    public async Task TellFromIo_FromInsideAnotherActorsTurn_IsQueuedNotRunInsideIt()
    {
        var probe = _kit.CreateProbe();
        var inner = _kit.System.ActorOf(Props.Create(() => new TurnChecker(probe.Ref)));
        var outer = _kit.System.ActorOf(Props.Create(() => new TurnChecker(probe.Ref, inner)));

        outer.Tell("go");

        var reports = new[] { await probe.ExpectMsgAsync<string>(), await probe.ExpectMsgAsync<string>() };
        Assert.Contains("outer ran alone", reports);
        Assert.Contains("inner ran alone", reports);
    }

    [Fact]
    public async Task TellFromIo_ManyFromSeveralThreads_EachThreadsMessagesArriveInOrder()
    {
        var probe = _kit.CreateProbe();
        var forwarder = _kit.System.ActorOf(Props.Create(() => new Forwarder(probe.Ref)));
        var senders = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                if (i % 2 == 0)
                {
                    forwarder.TellFromIo((t, i));
                }
                else
                {
                    forwarder.Tell((t, i));
                }
            }
        })).ToArray();
        await Task.WhenAll(senders);

        var next = new int[4];
        for (var n = 0; n < 2000; n++)
        {
            var (t, i) = await probe.ExpectMsgAsync<(int, int)>();
            Assert.Equal(next[t]++, i);
        }
    }

    private sealed class ThreadReporter : ReceiveActor
    {
        public ThreadReporter(IActorRef probe) => ReceiveAny(_ => probe.Tell(Environment.CurrentManagedThreadId));
    }

    /// <summary>Reports whether another TurnChecker's turn was running on this thread when its own ran.</summary>
    private sealed class TurnChecker : ReceiveActor
    {
        [ThreadStatic]
        private static bool t_inTurn;

        public TurnChecker(IActorRef probe, IActorRef? inner = null) => ReceiveAny(_ =>
        {
            var alone = !t_inTurn;
            t_inTurn = true;
            try
            {
                inner?.TellFromIo("from outer");
                probe.Tell((inner is null ? "inner" : "outer") + (alone ? " ran alone" : " ran inside another turn"));
            }
            finally
            {
                t_inTurn = false;
            }
        });
    }

    [Fact]
    public async Task ReceiveAsync_PendingTask_NextMessageWaits()
    {
        var probe = _kit.CreateProbe();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = _kit.System.ActorOf(Props.Create(() => new Gated(probe.Ref, gate.Task)));
        actor.Tell("a");
        actor.Tell("b");
        Assert.Equal("start a", await probe.ExpectMsgAsync<string>());
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        gate.SetResult();
        Assert.Equal("end a", await probe.ExpectMsgAsync<string>());
        Assert.Equal("start b", await probe.ExpectMsgAsync<string>());
        Assert.Equal("end b", await probe.ExpectMsgAsync<string>());
    }

    [Fact]
    public async Task ReceiveAsync_SenderAfterAwait_IsStillTheSender()
    {
        var probe = _kit.CreateProbe();
        var actor = _kit.System.ActorOf(Props.Create(() => new Gated(probe.Ref, Task.Delay(10))));
        probe.Send(actor, "x");
        Assert.Equal("start x", await probe.ExpectMsgAsync<string>());
        Assert.Equal("end x", await probe.ExpectMsgAsync<string>());
        Assert.Equal("reply x", await probe.ExpectMsgAsync<string>());
        Assert.Equal(actor, probe.LastSender);
    }

    [Fact]
    public async Task ReceiveAsync_TaskFaults_ActorIsRestarted()
    {
        var probe = _kit.CreateProbe();
        var actor = _kit.System.ActorOf(Props.Create(() => new Gated(probe.Ref, Task.FromException(new InvalidOperationException("boom")))));
        actor.Tell("x");
        Assert.Equal("start x", await probe.ExpectMsgAsync<string>());
        Assert.Equal("restarted boom", await probe.ExpectMsgAsync<string>());
    }

    private sealed class Gated : ReceiveActor
    {
        public Gated(IActorRef probe, Task gate)
        {
            ReceiveAsync<string>(async message =>
            {
                probe.Tell("start " + message);
                await gate;
                probe.Tell("end " + message);
                Sender.Tell("reply " + message, Self);
            });
            PostRestartProbe = probe;
        }

        private IActorRef PostRestartProbe { get; }

        protected override void PostRestart(Exception reason) => PostRestartProbe.Tell("restarted " + reason.Message);
    }
}
