using FcgiActors.Actors;
using FcgiActors.Testing;

namespace FcgiActors.Actors.Tests;

public sealed class MailboxSpecs : IAsyncDisposable
{
    private readonly ActorSystemFixture _kit = new();

    public ValueTask DisposeAsync() => _kit.DisposeAsync();

    /// <summary>Blocks in its first message until the gate opens; reports every message it takes.</summary>
    private sealed class Blocked : ReceiveActor
    {
        public Blocked(IActorRef probe, Task gate)
        {
            ReceiveAsync<string>(async m =>
            {
                probe.Tell("took " + m);
                await gate;
            });
        }

        protected override void PostStop() => Context.System.DeadLetters.Tell("post-stop marker");
    }

    private (IActorRef Actor, TaskCompletionSource Gate) SpawnBlocked(TestProbe probe, int? capacity)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var props = Props.Create(() => new Blocked(probe.Ref, gate.Task));
        return (_kit.System.ActorOf(capacity is { } c ? props.WithBoundedMailbox(c) : props), gate);
    }

    [Fact]
    public async Task TellAsync_BoundedMailboxFull_WaitsForRoom()
    {
        var probe = _kit.CreateProbe();
        var (actor, gate) = SpawnBlocked(probe, capacity: 2);
        actor.Tell("first");
        Assert.Equal("took first", await probe.ExpectMsgAsync<string>());
        await actor.TellAsync("2");
        await actor.TellAsync("3");
        var fourth = actor.TellAsync("4").AsTask();
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Assert.False(fourth.IsCompleted, "TellAsync to a full bounded mailbox must wait");
        gate.SetResult();
        await fourth.WaitAsync(TimeSpan.FromSeconds(3));
        Assert.Equal("took 2", await probe.ExpectMsgAsync<string>());
        Assert.Equal("took 3", await probe.ExpectMsgAsync<string>());
        Assert.Equal("took 4", await probe.ExpectMsgAsync<string>());
    }

    [Fact]
    public async Task TellAsync_Cancelled_WhileWaitingForRoom_Throws()
    {
        var probe = _kit.CreateProbe();
        var (actor, _) = SpawnBlocked(probe, capacity: 1);
        actor.Tell("first");
        await probe.ExpectMsgAsync<string>();
        await actor.TellAsync("2");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => actor.TellAsync("3", ct: cts.Token).AsTask());
    }

    [Fact]
    public async Task Tell_BoundedMailboxFull_GoesToDeadLetters()
    {
        var probe = _kit.CreateProbe();
        var dead = _kit.CreateProbe("dead");
        _kit.System.SubscribeDeadLetters(dead.Ref);
        var (actor, _) = SpawnBlocked(probe, capacity: 1);
        actor.Tell("first");
        await probe.ExpectMsgAsync<string>();
        actor.Tell("fits");
        actor.Tell("overflow");
        var letter = await dead.ExpectMsgAsync<DeadLetter>();
        Assert.Equal("overflow", letter.Message);
        Assert.Equal(actor, letter.Recipient);
    }

    [Fact]
    public async Task Stop_WithQueuedUserMessages_IsServedFirst()
    {
        var probe = _kit.CreateProbe();
        var dead = _kit.CreateProbe("dead");
        _kit.System.SubscribeDeadLetters(dead.Ref);
        var (actor, gate) = SpawnBlocked(probe, capacity: null);
        probe.Watch(actor);
        actor.Tell("first");
        Assert.Equal("took first", await probe.ExpectMsgAsync<string>());
        actor.Tell("queued 1");
        actor.Tell("queued 2");
        _kit.System.Stop(actor);
        gate.SetResult();
        await probe.ExpectTerminatedAsync(actor);
        Assert.Equal("post-stop marker", (await dead.ExpectMsgAsync<DeadLetter>()).Message);
        Assert.Equal("queued 1", (await dead.ExpectMsgAsync<DeadLetter>()).Message);
        Assert.Equal("queued 2", (await dead.ExpectMsgAsync<DeadLetter>()).Message);
    }
}
