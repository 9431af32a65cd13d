using System.Diagnostics;
using FcgiActors.Actors;
using FcgiActors.Testing;
using static FcgiActors.Actors.Tests.TestActors;

namespace FcgiActors.Actors.Tests;

public sealed class BackoffSpecs : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private readonly ActorSystemFixture _kit = new();

    public ValueTask DisposeAsync() => _kit.DisposeAsync();

    [Theory]
    [InlineData(1, 0.0, 100)]   // restart 1 waits MinBackoff
    [InlineData(2, 0.0, 200)]   // then doubles
    [InlineData(4, 0.0, 800)]
    [InlineData(5, 0.0, 1000)]  // capped at MaxBackoff
    [InlineData(40, 0.0, 1000)] // no overflow for large n
    [InlineData(1, 1.0, 120)]   // random 1.0 with RandomFactor 0.2 adds 20%
    public void Delay_FollowsExponentialFormula(int restart, double random, int expectedMs)
    {
        var options = new BackoffOptions(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), RandomFactor: 0.2);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), options.Delay(restart, random));
    }

    [Fact]
    public void TryRestart_AfterResetAfterWithoutFailure_StartsAgainAtMinBackoff()
    {
        var backoff = new BackoffOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), RandomFactor: 0, ResetAfter: TimeSpan.FromSeconds(30));
        var strategy = new OneForOneStrategy(_ => Directive.Restart, backoff: backoff);
        var stats = new ChildRestartStats();
        var now = TimeSpan.FromHours(1).Ticks;
        Assert.True(strategy.TryRestart(stats, now, out var first));
        Assert.True(strategy.TryRestart(stats, now + TimeSpan.FromSeconds(2).Ticks, out var second));
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)), (first, second));
        Assert.True(strategy.TryRestart(stats, now + TimeSpan.FromMinutes(5).Ticks, out var afterQuiet));
        Assert.Equal(TimeSpan.FromSeconds(1), afterQuiet);
    }

    [Fact]
    public void TryRestart_WindowPassed_BudgetRenews()
    {
        var strategy = new OneForOneStrategy(_ => Directive.Restart, maxNrOfRetries: 1, withinTimeRange: TimeSpan.FromSeconds(10));
        var stats = new ChildRestartStats();
        var now = TimeSpan.FromHours(1).Ticks;
        Assert.True(strategy.TryRestart(stats, now, out _));
        Assert.False(strategy.TryRestart(stats, now + TimeSpan.FromSeconds(1).Ticks, out _));
        Assert.True(strategy.TryRestart(stats, now + TimeSpan.FromSeconds(20).Ticks, out _));
    }

    [Fact]
    public async Task Restart_WithBackoff_RestartsAreSpacedIncreasingly()
    {
        var probe = _kit.CreateProbe();
        var min = TimeSpan.FromMilliseconds(60);
        var strategy = new OneForOneStrategy(
            _ => Directive.Restart,
            backoff: new BackoffOptions(min, TimeSpan.FromSeconds(1), RandomFactor: 0));
        var parent = _kit.System.ActorOf(WorkerProps(probe.Ref, strategy), "parent");
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");
        var child = await parent.Ask<IActorRef>(new Spawn(WorkerProps(probe.Ref), "child"), Timeout);
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");

        var delays = new List<TimeSpan>();
        for (var i = 1; i <= 4; i++)
        {
            var clock = Stopwatch.StartNew();
            child.Tell(new Fail("n" + i));
            await probe.FishForMessageAsync<Lifecycle>(l => l.Event == "PostRestart:n" + i);
            delays.Add(clock.Elapsed);
            await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");
        }

        // Lower bounds only (a busy machine adds latency, never removes it): 60, 120, 240, 480 ms,
        // with a little slack for timer granularity; the 4th restart is 8x the 1st, far beyond jitter.
        var slack = TimeSpan.FromMilliseconds(5);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(delays[i] >= (min * (1 << i)) - slack, $"restart {i + 1} came after {delays[i].TotalMilliseconds} ms");
        }

        Assert.True(delays[3] > delays[0], $"delays {string.Join(", ", delays.Select(d => d.TotalMilliseconds))} should grow");
    }

    [Fact]
    public async Task Restart_DuringBackoff_MessagesWaitInMailbox()
    {
        var probe = _kit.CreateProbe();
        var strategy = new OneForOneStrategy(
            _ => Directive.Restart,
            backoff: new BackoffOptions(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), RandomFactor: 0));
        var parent = _kit.System.ActorOf(WorkerProps(probe.Ref, strategy), "parent");
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");
        var child = await parent.Ask<IActorRef>(new Spawn(WorkerProps(probe.Ref), "child"), Timeout);
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");

        // Wall-clock windows ("no message for 100 ms") fail when a busy machine delays the probe
        // itself; a lower bound on the restart's arrival and the order of what arrives do not.
        var clock = Stopwatch.StartNew();
        child.Tell(new Fail("slow"));
        child.Tell("after failure");
        Assert.Equal("PreRestart:slow", (await probe.ExpectMsgAsync<Lifecycle>()).Event); // suspended: not the message first
        var restartedAfter = clock.Elapsed;
        Assert.True(
            restartedAfter >= TimeSpan.FromMilliseconds(195),
            $"restart came {restartedAfter.TotalMilliseconds} ms after the failure, before the 200 ms backoff");
        await probe.FishForMessageAsync<Lifecycle>(l => l.Event == "PreStart");
        Assert.Equal("after failure", await probe.ExpectMsgAsync<string>());
    }

    [Fact]
    public async Task Restart_DuringBackoffChildStopped_NeverRestarts()
    {
        var probe = _kit.CreateProbe();
        var strategy = new OneForOneStrategy(
            _ => Directive.Restart,
            backoff: new BackoffOptions(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), RandomFactor: 0));
        var parent = _kit.System.ActorOf(WorkerProps(probe.Ref, strategy), "parent");
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");
        var child = await parent.Ask<IActorRef>(new Spawn(WorkerProps(probe.Ref), "child"), Timeout);
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");
        probe.Watch(child);
        child.Tell(new Fail("x"));
        _kit.System.Stop(child);
        Assert.Equal("PostStop", (await probe.ExpectMsgAsync<Lifecycle>()).Event);
        await probe.ExpectTerminatedAsync(child);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }
}
