using FcgiActors.Proxy.Routing;
using static FcgiActors.Proxy.Routing.RouterState;

namespace FcgiActors.Proxy.Tests.Routing;

public class RouterStateTests
{
    private static RouterState Create(int backends = 3, int max = 10, int queue = 2, int threshold = 2) =>
        new([("p", backends, max, queue)], threshold);

    [Fact]
    public void Acquire_SpreadsOverBackends_ByLeastOutstanding()
    {
        var state = Create();

        var picks = Enumerable.Range(0, 6).Select(i => state.Acquire("p", i).Backend).ToList();

        Assert.Equal([2, 2, 2], Enumerable.Range(0, 3).Select(b => picks.Count(p => p == b)));
        state.Release("p", picks[0], BackendOutcome.Success);
        Assert.Equal(picks[0], state.Acquire("p", 99).Backend);
    }

    [Fact]
    public void Acquire_AtConcurrencyCap_QueuesThenRejectsWhenQueueFull()
    {
        var state = Create(backends: 1, max: 1, queue: 2);

        Assert.Equal(AdmissionKind.Granted, state.Acquire("p", 1).Kind);
        Assert.Equal(AdmissionKind.Queued, state.Acquire("p", 2).Kind);
        Assert.Equal(AdmissionKind.Queued, state.Acquire("p", 3).Kind);
        Assert.Equal(AdmissionKind.Rejected, state.Acquire("p", 4).Kind);
        Assert.Equal(2, state.Queued("p"));
    }

    [Fact]
    public void Release_WithWaiters_GrantsOldestFirst()
    {
        var state = Create(backends: 1, max: 1, queue: 5);
        state.Acquire("p", 1);
        state.Acquire("p", 2);
        state.Acquire("p", 3);

        var grants = state.Release("p", 0, BackendOutcome.Success);

        Assert.Equal([new Grant(2, 0)], grants);
        Assert.Equal(1, state.InFlight("p"));
        Assert.Equal(1, state.Queued("p"));
    }

    [Fact]
    public void Cancel_QueuedWaiter_RemovesIt_AndIsFalseOnceGranted()
    {
        var state = Create(backends: 1, max: 1, queue: 5);
        state.Acquire("p", 1);
        state.Acquire("p", 2);
        state.Acquire("p", 3);

        Assert.True(state.Cancel("p", 2));
        Assert.Equal([new Grant(3, 0)], state.Release("p", 0, BackendOutcome.Success));
        Assert.False(state.Cancel("p", 3));
    }

    [Fact]
    public void Release_FailuresReachThreshold_TakesBackendOut()
    {
        var state = Create(backends: 2, threshold: 2);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(0, state.Acquire("p", i).Backend);
            state.Acquire("p", 100 + i); // lands on backend 1
            state.Release("p", 0, BackendOutcome.Failed);
            state.Release("p", 1, BackendOutcome.Success);
        }

        Assert.False(state.IsHealthy("p", 0));
        Assert.True(state.IsHealthy("p", 1));
        Assert.Equal(1, state.Acquire("p", 7).Backend);
        Assert.Equal(1, state.Acquire("p", 8).Backend);
        Assert.Equal([("p", 0)], state.Unhealthy());
    }

    [Fact]
    public void Release_SuccessBetweenFailures_ResetsCount()
    {
        var state = Create(backends: 1, threshold: 2);
        foreach (var outcome in new[] { BackendOutcome.NotReached, BackendOutcome.Success, BackendOutcome.NotReached, BackendOutcome.Cancelled })
        {
            state.Acquire("p", 1);
            state.Release("p", 0, outcome);
        }

        Assert.True(state.IsHealthy("p", 0));
    }

    [Fact]
    public void Acquire_NoHealthyBackend_Queues_AndProbeSuccessGrants()
    {
        var state = Create(backends: 1, threshold: 1);
        state.SetHealth("p", 0, healthy: false);

        Assert.Equal(AdmissionKind.Queued, state.Acquire("p", 5).Kind);
        Assert.Equal([new Grant(5, 0)], state.SetHealth("p", 0, healthy: true));
    }

    [Fact]
    public void Reassign_NotReached_MovesToUntriedBackend_KeepingTheSlot()
    {
        var state = Create(backends: 2);
        var first = state.Acquire("p", 1).Backend;

        var next = state.Reassign("p", first, BackendOutcome.NotReached, [first]);

        Assert.Equal(1 - first, next);
        Assert.Equal(1, state.InFlight("p"));
        Assert.Equal(0, state.Outstanding("p", first));
        Assert.Equal(1, state.Outstanding("p", next));
        Assert.Equal(-1, state.Reassign("p", next, BackendOutcome.NotReached, [first, next]));
        state.Release("p", next, BackendOutcome.Cancelled);
        Assert.Equal(0, state.InFlight("p"));
    }
}
