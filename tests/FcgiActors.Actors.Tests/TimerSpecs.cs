using FcgiActors.Actors;
using FcgiActors.Testing;

namespace FcgiActors.Actors.Tests;

public sealed class TimerSpecs : IAsyncDisposable
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(150);
    private readonly ActorSystemFixture _kit = new();

    public ValueTask DisposeAsync() => _kit.DisposeAsync();

    private sealed record StartSingle(string Key, TimeSpan Delay);

    private sealed record StartPeriodic(string Key, TimeSpan Interval);

    private sealed record Cancel(string Key);

    private sealed record IsActive(string Key);

    private sealed record Tick(string Key);

    private IActorRef Clock(TestProbe probe, string name = "clock") =>
        _kit.System.ActorOf(Props.Create(() => new ClockActor(probe.Ref)), name);

    [Fact]
    public async Task SingleTimer_FiresOnce()
    {
        var probe = _kit.CreateProbe();
        Clock(probe).Tell(new StartSingle("once", TimeSpan.FromMilliseconds(20)));
        Assert.Equal(new Tick("once"), await probe.ExpectMsgAsync<Tick>());
        await probe.ExpectNoMsgAsync(Quiet);
    }

    [Fact]
    public async Task PeriodicTimer_FiresRepeatedly_UntilCancelled()
    {
        var probe = _kit.CreateProbe();
        var clock = Clock(probe);
        clock.Tell(new StartPeriodic("tick", TimeSpan.FromMilliseconds(20)));
        for (var i = 0; i < 3; i++)
        {
            await probe.ExpectMsgAsync<Tick>();
        }

        clock.Tell(new Cancel("tick"));
        Assert.False(await clock.Ask<bool>(new IsActive("tick"), TimeSpan.FromSeconds(3)));

        // A tick already enqueued before the cancel is discarded too, so nothing may follow the reply.
        await probe.ExpectNoMsgAsync(Quiet);
    }

    [Fact]
    public async Task Cancel_BeforeFiring_NothingDelivered()
    {
        var probe = _kit.CreateProbe();
        var clock = Clock(probe);
        clock.Tell(new StartSingle("late", TimeSpan.FromMilliseconds(400)));
        clock.Tell(new Cancel("late"));
        Assert.False(await clock.Ask<bool>(new IsActive("late"), TimeSpan.FromSeconds(3)));
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(600));
    }

    [Fact]
    public async Task StartAgain_SameKey_ReplacesTimer()
    {
        var probe = _kit.CreateProbe();
        var clock = Clock(probe);
        clock.Tell(new StartSingle("k", TimeSpan.FromMilliseconds(30)));
        clock.Tell(new StartSingle("k", TimeSpan.FromMilliseconds(60)));
        await probe.ExpectMsgAsync<Tick>();
        await probe.ExpectNoMsgAsync(Quiet);
    }

    [Fact]
    public async Task Timers_ActorStops_TimersDieWithIt()
    {
        var probe = _kit.CreateProbe();
        var clock = Clock(probe);
        clock.Tell(new StartPeriodic("tick", TimeSpan.FromMilliseconds(20)));
        await probe.ExpectMsgAsync<Tick>();
        probe.Watch(clock);
        _kit.System.Stop(clock);
        await probe.FishForMessageAsync<Terminated>(_ => true);
        await probe.ExpectNoMsgAsync(Quiet);
    }

    [Fact]
    public async Task Timers_ActorRestarts_NewIncarnationHasNone()
    {
        var probe = _kit.CreateProbe();
        var clock = Clock(probe);
        clock.Tell(new StartSingle("later", TimeSpan.FromMilliseconds(100)));
        clock.Tell("fail");
        Assert.Equal("restarted", await probe.ExpectMsgAsync<string>());
        Assert.False(await clock.Ask<bool>(new IsActive("later"), TimeSpan.FromSeconds(3)));
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    private sealed class ClockActor : ReceiveActor
    {
        private readonly IActorRef _probe;

        public ClockActor(IActorRef probe)
        {
            _probe = probe;
            Receive<StartSingle>(m => Context.Timers.StartSingleTimer(m.Key, new Tick(m.Key), m.Delay));
            Receive<StartPeriodic>(m => Context.Timers.StartPeriodicTimer(m.Key, new Tick(m.Key), m.Interval));
            Receive<Cancel>(m => Context.Timers.Cancel(m.Key));
            Receive<IsActive>(m => Sender.Tell(Context.Timers.IsTimerActive(m.Key)));
            Receive<Tick>(t => probe.Tell(t));
            Receive<string>(_ => throw new InvalidOperationException("fail"), s => s == "fail");
        }

        protected override void PostRestart(Exception reason) => _probe.Tell("restarted");
    }
}
