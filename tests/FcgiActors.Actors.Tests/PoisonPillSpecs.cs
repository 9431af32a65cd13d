using FcgiActors.Actors;
using FcgiActors.Testing;
using static FcgiActors.Actors.Tests.TestActors;

namespace FcgiActors.Actors.Tests;

public sealed class PoisonPillSpecs : IAsyncDisposable
{
    private readonly ActorSystemFixture _kit = new();

    public ValueTask DisposeAsync() => _kit.DisposeAsync();

    [Fact]
    public async Task PoisonPill_ProcessedInOrder_ThenActorStops()
    {
        var probe = _kit.CreateProbe();
        var deadLetters = _kit.CreateProbe("dead");
        _kit.System.SubscribeDeadLetters(deadLetters.Ref);
        var forwarder = _kit.System.ActorOf(Props.Create(() => new Forwarder(probe.Ref)));
        probe.Watch(forwarder);
        forwarder.Tell("a");
        forwarder.Tell("b");
        forwarder.Tell(PoisonPill.Instance);
        forwarder.Tell("c");
        Assert.Equal("a", await probe.ExpectMsgAsync<string>());
        Assert.Equal("b", await probe.ExpectMsgAsync<string>());
        await probe.ExpectTerminatedAsync(forwarder);
        Assert.Equal("c", (await deadLetters.ExpectMsgAsync<DeadLetter>()).Message);
    }

    [Fact]
    public async Task PoisonPill_ToParent_StopsChildrenFirst()
    {
        var probe = _kit.CreateProbe();
        var parent = _kit.System.ActorOf(WorkerProps(probe.Ref), "p");
        await probe.ExpectMsgAsync<Lifecycle>();
        await parent.Ask<IActorRef>(new Spawn(WorkerProps(probe.Ref), "c"), TimeSpan.FromSeconds(3));
        await probe.ExpectMsgAsync<Lifecycle>();
        parent.Tell(PoisonPill.Instance);
        Assert.Equal("/user/p/c", (await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PostStop")).Path);
        Assert.Equal("/user/p", (await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PostStop")).Path);
    }
}
