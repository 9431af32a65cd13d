using FcgiActors.Actors;
using FcgiActors.Testing;
using static FcgiActors.Actors.Tests.TestActors;

namespace FcgiActors.Actors.Tests;

public sealed class SupervisionSpecs : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private readonly ActorSystemFixture _kit = new();

    public ValueTask DisposeAsync() => _kit.DisposeAsync();

    private async Task<IActorRef> SpawnChildAsync(TestProbe probe, SupervisorStrategy parentStrategy, string parentName = "parent")
    {
        var parent = _kit.System.ActorOf(WorkerProps(probe.Ref, parentStrategy), parentName);
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");
        var child = await parent.Ask<IActorRef>(new Spawn(WorkerProps(probe.Ref), "child"), Timeout);
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart" && l.Path == child.Path);
        return child;
    }

    [Fact]
    public async Task Resume_KeepsState_AndDropsFailedMessage()
    {
        var probe = _kit.CreateProbe();
        var child = await SpawnChildAsync(probe, new OneForOneStrategy(_ => Directive.Resume));
        child.Tell("inc");
        child.Tell("inc");
        child.Tell(new Fail("oops"));
        child.Tell("inc");
        Assert.Equal(3, await child.Ask<int>("get", Timeout));
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(50)); // no restart hooks ran
    }

    [Fact]
    public async Task Restart_ResetsState_AndCallsPreRestartThenPostRestart()
    {
        var probe = _kit.CreateProbe();
        var child = await SpawnChildAsync(probe, new OneForOneStrategy(_ => Directive.Restart));
        child.Tell("inc");
        child.Tell(new Fail("oops"));
        Assert.Equal(new Lifecycle("PreRestart:oops", child.Path), await probe.ExpectMsgAsync<Lifecycle>());
        Assert.Equal(new Lifecycle("PostStop", child.Path), await probe.ExpectMsgAsync<Lifecycle>());
        Assert.Equal(new Lifecycle("PostRestart:oops", child.Path), await probe.ExpectMsgAsync<Lifecycle>());
        Assert.Equal(new Lifecycle("PreStart", child.Path), await probe.ExpectMsgAsync<Lifecycle>());
        Assert.Equal(0, await child.Ask<int>("get", Timeout));
    }

    [Fact]
    public async Task Restart_KeepsTheSameReference_AndLaterMessages()
    {
        var probe = _kit.CreateProbe();
        var child = await SpawnChildAsync(probe, new OneForOneStrategy(_ => Directive.Restart));
        child.Tell(new Fail("oops"));
        child.Tell("inc");
        Assert.Equal(1, await child.Ask<int>("get", Timeout));
    }

    [Fact]
    public async Task Stop_StopsTheChild()
    {
        var probe = _kit.CreateProbe();
        var child = await SpawnChildAsync(probe, SupervisorStrategy.StoppingStrategy);
        probe.Watch(child);
        child.Tell(new Fail("fatal"));
        Assert.Equal(new Lifecycle("PostStop", child.Path), await probe.ExpectMsgAsync<Lifecycle>());
        await probe.ExpectTerminatedAsync(child);
    }

    [Fact]
    public void Decider_FromTable_FirstMatchingRuleWins()
    {
        var decider = Decider.From(
            Directive.Escalate,
            (typeof(ArgumentException), Directive.Resume),
            (typeof(InvalidOperationException), Directive.Stop));
        Assert.Equal(Directive.Resume, decider(new ArgumentNullException("x")));
        Assert.Equal(Directive.Stop, decider(new ObjectDisposedException("x")));
        Assert.Equal(Directive.Escalate, decider(new IOException()));
    }

    [Fact]
    public async Task Escalate_ReachesGrandparent_WhoseDirectiveApplies()
    {
        var probe = _kit.CreateProbe();
        var grandStrategy = new OneForOneStrategy(ex =>
        {
            probe.Ref.Tell("grandparent saw " + ex.Message);
            return Directive.Stop;
        });
        var grandparent = _kit.System.ActorOf(WorkerProps(probe.Ref, grandStrategy), "grandparent");
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");
        var parent = await grandparent.Ask<IActorRef>(new Spawn(WorkerProps(probe.Ref, new OneForOneStrategy(_ => Directive.Escalate)), "parent"), Timeout);
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");
        var child = await parent.Ask<IActorRef>(new Spawn(WorkerProps(probe.Ref), "child"), Timeout);
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");
        probe.Watch(parent);
        child.Tell(new Fail("deep"));
        Assert.Equal("grandparent saw deep", await probe.ExpectMsgAsync<string>());
        Assert.Equal(new Lifecycle("PostStop", child.Path), await probe.ExpectMsgAsync<Lifecycle>());
        Assert.Equal(new Lifecycle("PostStop", parent.Path), await probe.ExpectMsgAsync<Lifecycle>());
        await probe.ExpectTerminatedAsync(parent);
    }

    [Fact]
    public async Task Escalate_GrandparentResumes_ChildResumesToo()
    {
        var probe = _kit.CreateProbe();
        var grandparent = _kit.System.ActorOf(WorkerProps(probe.Ref, new OneForOneStrategy(_ => Directive.Resume)), "grandparent");
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");
        var parent = await grandparent.Ask<IActorRef>(new Spawn(WorkerProps(probe.Ref, new OneForOneStrategy(_ => Directive.Escalate)), "parent"), Timeout);
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");
        var child = await parent.Ask<IActorRef>(new Spawn(WorkerProps(probe.Ref), "child"), Timeout);
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");
        child.Tell("inc");
        child.Tell(new Fail("deep"));
        child.Tell("inc");
        Assert.Equal(2, await child.Ask<int>("get", Timeout));
    }

    [Fact]
    public async Task Restart_MoreThanMaxRetriesWithinWindow_StopsChild()
    {
        var probe = _kit.CreateProbe();
        var strategy = new OneForOneStrategy(_ => Directive.Restart, maxNrOfRetries: 2, withinTimeRange: TimeSpan.FromMinutes(1));
        var child = await SpawnChildAsync(probe, strategy);
        probe.Watch(child);
        for (var i = 1; i <= 2; i++)
        {
            child.Tell(new Fail("try " + i));
            await probe.FishForMessageAsync<Lifecycle>(l => l.Event == "PostRestart:try " + i);
            await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");
        }

        child.Tell(new Fail("try 3"));
        Assert.Equal(new Lifecycle("PostStop", child.Path), await probe.ExpectMsgAsync<Lifecycle>());
        await probe.ExpectTerminatedAsync(child);
    }

    [Fact]
    public async Task DefaultStrategy_TopLevelActorFails_IsRestarted()
    {
        var probe = _kit.CreateProbe();
        var actor = _kit.System.ActorOf(WorkerProps(probe.Ref), "top");
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");
        actor.Tell(new Fail("top failure"));
        await probe.FishForMessageAsync<Lifecycle>(l => l.Event == "PostRestart:top failure");
    }

    [Fact]
    public async Task PreStartThrows_ParentStrategyDecides()
    {
        var probe = _kit.CreateProbe();
        var parent = _kit.System.ActorOf(WorkerProps(probe.Ref, SupervisorStrategy.StoppingStrategy), "parent");
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");
        var child = await parent.Ask<IActorRef>(new Spawn(Props.Create(() => new BadStart())), Timeout);
        probe.Watch(child);
        await probe.ExpectTerminatedAsync(child);
    }

    [Fact]
    public async Task Resume_AfterCreationFailed_CreatesTheActorAgain()
    {
        var probe = _kit.CreateProbe();
        var parent = _kit.System.ActorOf(WorkerProps(probe.Ref, new OneForOneStrategy(_ => Directive.Resume)), "parent");
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");
        var attempts = 0;
        var child = await parent.Ask<IActorRef>(new Spawn(Props.Create(() => new FailsFirstTime(ref attempts))), Timeout);
        Assert.Equal("created on attempt 2", await child.Ask<string>("hello", Timeout));
    }

    [Fact]
    public void NewActor_OutsideActorOf_Throws()
    {
        var thrown = Assert.Throws<InvalidOperationException>(() => new BadStart());
        Assert.Contains("Props and ActorOf", thrown.Message, StringComparison.Ordinal);
    }

    private sealed class FailsFirstTime : ReceiveActor
    {
        public FailsFirstTime(ref int attempts)
        {
            var attempt = Interlocked.Increment(ref attempts);
            if (attempt == 1)
            {
                throw new InvalidOperationException("first construction fails");
            }

            Receive<string>(_ => Sender.Tell($"created on attempt {attempt}"));
        }
    }

    private sealed class BadStart : ReceiveActor
    {
        protected override void PreStart() => throw new InvalidOperationException("cannot start");
    }
}
