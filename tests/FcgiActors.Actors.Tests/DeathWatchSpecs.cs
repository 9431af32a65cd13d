using FcgiActors.Actors;
using FcgiActors.Testing;
using static FcgiActors.Actors.Tests.TestActors;

namespace FcgiActors.Actors.Tests;

public sealed class DeathWatchSpecs : IAsyncDisposable
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);
    private readonly ActorSystemFixture _kit = new();

    public ValueTask DisposeAsync() => _kit.DisposeAsync();

    [Fact]
    public async Task Watch_TwiceThenStop_TerminatedDeliveredExactlyOnce()
    {
        var probe = _kit.CreateProbe();
        var subject = _kit.System.ActorOf(Props.Create(() => new Echo()));
        probe.Watch(subject);
        probe.Watch(subject);
        _kit.System.Stop(subject);
        var terminated = await probe.ExpectTerminatedAsync(subject);
        Assert.Equal(subject, terminated.ActorRef);
        await probe.ExpectNoMsgAsync(Quiet);
    }

    [Fact]
    public async Task Watch_AlreadyDeadSubject_TerminatedDeliveredOnce()
    {
        var probe = _kit.CreateProbe();
        var subject = _kit.System.ActorOf(Props.Create(() => new Echo()));
        probe.Watch(subject);
        _kit.System.Stop(subject);
        await probe.ExpectTerminatedAsync(subject);

        var late = _kit.CreateProbe("late");
        late.Watch(subject);
        await late.ExpectTerminatedAsync(subject);
        await late.ExpectNoMsgAsync(Quiet);
    }

    [Fact]
    public async Task Watch_Nobody_TerminatedAtOnce()
    {
        var probe = _kit.CreateProbe();
        probe.Watch(ActorRefs.Nobody);
        await probe.ExpectTerminatedAsync(ActorRefs.Nobody);
    }

    [Fact]
    public async Task Unwatch_BeforeStop_NoTerminated()
    {
        var probe = _kit.CreateProbe();
        var witness = _kit.CreateProbe("witness");
        var subject = _kit.System.ActorOf(Props.Create(() => new Echo()));
        probe.Watch(subject);
        probe.Unwatch(subject);
        witness.Watch(subject);
        _kit.System.Stop(subject);
        await witness.ExpectTerminatedAsync(subject);
        await probe.ExpectNoMsgAsync(Quiet);
    }

    [Fact]
    public async Task Watch_FromActor_TerminatedReachesItsHandler()
    {
        var probe = _kit.CreateProbe();
        var subject = _kit.System.ActorOf(Props.Create(() => new Echo()), "subject");
        var watcher = _kit.System.ActorOf(Props.Create(() => new Watcher(subject, probe.Ref)), "watcher");
        Assert.Equal("watching", await probe.ExpectMsgAsync<string>());
        subject.Tell(PoisonPill.Instance);
        var terminated = await probe.ExpectMsgAsync<Terminated>();
        Assert.Equal(subject, terminated.ActorRef);
        Assert.Equal(watcher, probe.LastSender);
    }

    [Fact]
    public async Task Watch_ChildStopsItself_ParentCanReuseNameInTerminatedHandler()
    {
        var probe = _kit.CreateProbe();
        var parent = _kit.System.ActorOf(Props.Create(() => new Respawner(probe.Ref)), "respawner");
        var first = await probe.ExpectMsgAsync<IActorRef>();
        first.Tell(PoisonPill.Instance);
        var second = await probe.ExpectMsgAsync<IActorRef>();
        Assert.Equal(first.Path, second.Path);
        Assert.NotEqual(first, second);
        Assert.NotNull(parent);
    }

    private sealed class Watcher : ReceiveActor
    {
        public Watcher(IActorRef subject, IActorRef probe)
        {
            Context.Watch(subject);
            probe.Tell("watching");
            Receive<Terminated>(t => probe.Tell(t, Self));
        }
    }

    private sealed class Respawner : ReceiveActor
    {
        private readonly IActorRef _probe;

        public Respawner(IActorRef probe)
        {
            _probe = probe;
            Receive<Terminated>(_ => Spawn());
        }

        protected override void PreStart() => Spawn();

        private void Spawn()
        {
            var child = Context.Watch(Context.ActorOf(Props.Create(() => new Echo()), "worker"));
            _probe.Tell(child);
        }
    }
}
