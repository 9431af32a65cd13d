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
        return new Router(_system, "router", settings, new Dictionary<string, int> { ["p"] = backends }, (_, _, _) => Task.FromResult(_probeAnswer));
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
    public async Task Acquire_SlotFree_IsAnsweredOnTheCallersThread()
    {
        var router = Create(backends: 2, max: 2, queue: 0);

        var first = router.AcquireAsync("p", default);
        var second = router.AcquireAsync("p", default);
        var refused = router.AcquireAsync("p", default);

        // Completed before returning: no actor turn, no continuation hop for the common case.
        Assert.True(first.IsCompletedSuccessfully && second.IsCompletedSuccessfully && refused.IsCompletedSuccessfully);
        Assert.Equal([0, 1], new[] { (await first)!.Backend, (await second)!.Backend }.Order());
        Assert.Null(await refused);
    }

    [Fact]
    public async Task Acquire_TokenAlreadyCancelled_ThrowsAndTakesNoSlot()
    {
        var router = Create(max: 1);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => router.AcquireAsync("p", cts.Token));

        Assert.NotNull(await router.AcquireAsync("p", default).WaitAsync(Bound));
    }

    [Fact]
    public async Task AcquireAndRelease_FromManyThreads_NeverExceedTheCapAndAllAreServed()
    {
        const int cap = 3, workers = 8, rounds = 300;
        var router = Create(backends: 2, max: cap, queue: workers);
        var holding = 0;
        var most = 0;
        var served = 0;

        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < rounds; i++)
            {
                var lease = await router.AcquireAsync("p", default).WaitAsync(Bound);
                Assert.NotNull(lease);
                var now = Interlocked.Increment(ref holding);
                InterlockedMax(ref most, now);
                await Task.Yield();
                Interlocked.Decrement(ref holding);
                Interlocked.Increment(ref served);
                router.Release(lease, BackendOutcome.Success);
            }
        }))).WaitAsync(Bound);

        Assert.Equal(workers * rounds, served);
        Assert.InRange(most, 1, cap);
        // Every slot came back: the whole capacity is free again, at once.
        var again = Enumerable.Range(0, cap).Select(_ => router.AcquireAsync("p", default)).ToList();
        Assert.All(again, t => Assert.True(t.IsCompletedSuccessfully));
        Assert.All(await Task.WhenAll(again), Assert.NotNull);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var was && was != seen)
        {
            seen = was;
        }
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

        var next = router.Reassign(lease!, BackendOutcome.NotReached, [lease!.Backend]);

        Assert.Equal(1 - lease.Backend, next);
    }
}
