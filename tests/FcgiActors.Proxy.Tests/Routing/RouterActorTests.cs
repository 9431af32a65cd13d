using FcgiActors.Actors;
using FcgiActors.Proxy.Routing;

namespace FcgiActors.Proxy.Tests.Routing;

public sealed class RouterActorTests : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly ActorSystem _system = ActorSystem.Create("router-test");
    private volatile bool _probeAnswer;

    public ValueTask DisposeAsync() => _system.DisposeAsync();

    private Router Create(int backends = 1, int max = 1, int queue = 1, TimeSpan? queueTimeout = null, int threshold = 1)
    {
        var settings = ProxySettings.Default with
        {
            Pools = [new PoolSettings { Name = "p", Backends = Enumerable.Range(0, backends).Select(i => $"127.0.0.1:{9000 + i}").ToList(), MaxConcurrency = max, QueueSize = queue, QueueTimeout = queueTimeout ?? TimeSpan.FromSeconds(30) }],
            DefaultPool = "p",
            Health = new HealthSettings { FailureThreshold = threshold, ProbeInterval = TimeSpan.FromMilliseconds(50) },
        };
        var actor = _system.ActorOf(Props.Create(() => new RouterActor(settings, new Dictionary<string, int> { ["p"] = backends }, (_, _, _) => Task.FromResult(_probeAnswer))));
        return new Router(actor);
    }

    [Fact]
    public async Task Acquire_PoolAndQueueFull_AnswersNullAtOnce()
    {
        var router = Create(max: 1, queue: 1);
        Assert.NotNull(await router.AcquireAsync("p", default).WaitAsync(Bound));
        var queued = router.AcquireAsync("p", default);

        var rejected = await router.AcquireAsync("p", default).WaitAsync(Bound);

        Assert.Null(rejected);
        Assert.False(queued.IsCompleted);
    }

    [Fact]
    public async Task Acquire_Queued_IsGrantedWhenSlotReleased()
    {
        var router = Create();
        var first = await router.AcquireAsync("p", default).WaitAsync(Bound);
        var queued = router.AcquireAsync("p", default);

        router.Release(first!, BackendOutcome.Success);

        Assert.Equal(new Lease("p", 0), await queued.WaitAsync(Bound));
    }

    [Fact]
    public async Task Acquire_QueueTimeoutPasses_AnswersNull()
    {
        var router = Create(queueTimeout: TimeSpan.FromMilliseconds(100));
        await router.AcquireAsync("p", default).WaitAsync(Bound);

        Assert.Null(await router.AcquireAsync("p", default).WaitAsync(Bound));
    }

    [Fact]
    public async Task Acquire_CancelledWhileQueued_ThrowsAndFreesQueuePlace()
    {
        var router = Create();
        var first = await router.AcquireAsync("p", default).WaitAsync(Bound);
        using var cts = new CancellationTokenSource();
        var queued = router.AcquireAsync("p", cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.WaitAsync(Bound));
        var next = router.AcquireAsync("p", default);
        router.Release(first!, BackendOutcome.Success);
        Assert.NotNull(await next.WaitAsync(Bound));
    }

    [Fact]
    public async Task FailingBackend_IsTakenOut_ThenProbedBackIn()
    {
        var router = Create(backends: 2, max: 10, queue: 10, threshold: 1);
        var lease = await router.AcquireAsync("p", default).WaitAsync(Bound);
        router.Release(lease!, BackendOutcome.NotReached);

        // Only the other backend is used while the failed one is out.
        for (var i = 0; i < 4; i++)
        {
            var l = await router.AcquireAsync("p", default).WaitAsync(Bound);
            Assert.NotEqual(lease!.Backend, l!.Backend);
        }

        _probeAnswer = true;
        using var cts = new CancellationTokenSource(Bound);
        while (true)
        {
            var l = await router.AcquireAsync("p", default).WaitAsync(Bound);
            if (l!.Backend == lease!.Backend)
            {
                break;
            }

            await Task.Delay(20, cts.Token);
        }
    }

    [Fact]
    public async Task Reassign_NothingReachedFirstBackend_GivesTheOther()
    {
        var router = Create(backends: 2, max: 10);
        var lease = await router.AcquireAsync("p", default).WaitAsync(Bound);

        var next = await router.ReassignAsync(lease!, BackendOutcome.NotReached, [lease!.Backend]).WaitAsync(Bound);

        Assert.Equal(1 - lease.Backend, next);
    }
}
