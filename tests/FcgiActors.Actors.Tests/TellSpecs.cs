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
