using FcgiActors.Actors;
using FcgiActors.Testing;
using static FcgiActors.Actors.Tests.TestActors;

namespace FcgiActors.Actors.Tests;

public sealed class DeadLetterSpecs : IAsyncDisposable
{
    private readonly ActorSystemFixture _kit = new();

    public ValueTask DisposeAsync() => _kit.DisposeAsync();

    [Fact]
    public async Task Tell_ToStoppedActor_PublishesDeadLetter()
    {
        var probe = _kit.CreateProbe();
        var echo = _kit.System.ActorOf(Props.Create(() => new Echo()), "gone");
        probe.Watch(echo);
        _kit.System.Stop(echo);
        await probe.ExpectTerminatedAsync(echo);
        _kit.System.SubscribeDeadLetters(probe.Ref);
        probe.Send(echo, "too late");
        var letter = await probe.ExpectMsgAsync<DeadLetter>();
        Assert.Equal(new DeadLetter("too late", probe.Ref, echo), letter);
    }

    [Fact]
    public async Task Unhandled_Message_PublishesDeadLetter()
    {
        var probe = _kit.CreateProbe();
        _kit.System.SubscribeDeadLetters(probe.Ref);
        var picky = _kit.System.ActorOf(Props.Create(() => new Picky()));
        picky.Tell(42);
        Assert.Equal(42, (await probe.ExpectMsgAsync<DeadLetter>()).Message);
    }

    [Fact]
    public async Task Tell_ToDeadLettersDirectly_IsPublished_UntilUnsubscribed()
    {
        var probe = _kit.CreateProbe();
        _kit.System.SubscribeDeadLetters(probe.Ref);
        _kit.System.DeadLetters.Tell("lost");
        Assert.Equal("lost", (await probe.ExpectMsgAsync<DeadLetter>()).Message);
        _kit.System.UnsubscribeDeadLetters(probe.Ref);
        _kit.System.DeadLetters.Tell("lost again");
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Tell_ToNobody_IsDropped()
    {
        var probe = _kit.CreateProbe();
        _kit.System.SubscribeDeadLetters(probe.Ref);
        ActorRefs.Nobody.Tell("void");
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    private sealed class Picky : ReceiveActor
    {
        public Picky() => Receive<string>(_ => { });
    }
}
