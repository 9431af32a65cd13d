using FcgiActors.Actors;
using FcgiActors.Testing;

namespace FcgiActors.Actors.Tests;

public sealed class BecomeSpecs : IAsyncDisposable
{
    private readonly ActorSystemFixture _kit = new();

    public ValueTask DisposeAsync() => _kit.DisposeAsync();

    [Fact]
    public async Task Become_SwitchesHandlers_AndBack()
    {
        var probe = _kit.CreateProbe();
        var door = _kit.System.ActorOf(Props.Create(() => new Door()));
        probe.Send(door, "knock");
        Assert.Equal("closed", await probe.ExpectMsgAsync<string>());
        probe.Send(door, "open");
        probe.Send(door, "knock");
        Assert.Equal("come in", await probe.ExpectMsgAsync<string>());
        probe.Send(door, "close");
        probe.Send(door, "knock");
        Assert.Equal("closed", await probe.ExpectMsgAsync<string>());
    }

    [Fact]
    public async Task Become_MessageOnlyOldStateHandled_IsUnhandled()
    {
        var probe = _kit.CreateProbe();
        _kit.System.SubscribeDeadLetters(probe.Ref);
        var door = _kit.System.ActorOf(Props.Create(() => new Door()));
        door.Tell("open");
        door.Tell("open");
        var letter = await probe.ExpectMsgAsync<DeadLetter>();
        Assert.Equal("open", letter.Message);
    }

    private sealed class Door : ReceiveActor
    {
        public Door() => Closed();

        private void Closed()
        {
            Receive<string>(_ => Sender.Tell("closed", Self), s => s == "knock");
            Receive<string>(_ => Become(Open), s => s == "open");
        }

        private void Open()
        {
            Receive<string>(_ => Sender.Tell("come in", Self), s => s == "knock");
            Receive<string>(_ => Become(Closed), s => s == "close");
        }
    }
}
