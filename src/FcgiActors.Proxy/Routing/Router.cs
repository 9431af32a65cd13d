using System.Diagnostics;
using FcgiActors.Actors;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Proxy.Routing;

/// <summary>
/// Front request → backend slot: per-pool concurrency caps, bounded queues with a timeout,
/// least-outstanding balancing and passive health, kept in a <see cref="RouterState"/>.
/// </summary>
/// <remarks>
/// The decision is taken on the caller's thread, under one lock, the way Akka's routers route
/// on the sender's thread instead of through the router's mailbox. Every proxied request takes
/// a slot and gives it back; through an actor that was three thread hand-offs per request (the
/// actor's turn for the slot, the reply's continuation, the actor's turn for the release) on a
/// path where each hand-off is a possible thread wake-up (docs/benchmarks.md). A granted or
/// refused slot is answered at once; only a queued request waits, for a release or its queue
/// timeout. What needs time stays with <see cref="RouterActor"/>: the queue-timeout timers and
/// the probing of backends taken out. The lock guards the state and the waiters only; task
/// completions run their continuations asynchronously, never under it.
/// </remarks>
internal sealed partial class Router
{
    private static readonly Task<Lease?> s_refused = Task.FromResult<Lease?>(null);

    private readonly Lock _gate = new();
    private readonly RouterState _state;
    private readonly Dictionary<(string Pool, long WaiterId), TaskCompletionSource<Lease?>> _waiters = [];
    private readonly Dictionary<string, TimeSpan> _queueTimeouts;
    private readonly int _failureThreshold;
    private readonly ILogger _log;
    private long _nextWaiter;

    /// <summary>A router for <paramref name="settings"/>' pools, with its actor started in <paramref name="system"/>.</summary>
    /// <param name="backendCounts">Backends per pool (configured and spawned).</param>
    /// <param name="probe">Answers whether a backend taken out is up again.</param>
    public Router(ActorSystem system, string name, ProxySettings settings, IReadOnlyDictionary<string, int> backendCounts,
        Func<string, int, CancellationToken, Task<bool>> probe)
    {
        _state = new RouterState(
            settings.Pools.Select(p => (p.Name, backendCounts[p.Name], p.MaxConcurrency, p.QueueSize)),
            settings.Health.FailureThreshold);
        _queueTimeouts = settings.Pools.ToDictionary(p => p.Name, p => p.QueueTimeout, StringComparer.Ordinal);
        _failureThreshold = settings.Health.FailureThreshold;
        _log = system.LoggerFactory.CreateLogger<RouterActor>();
        var health = settings.Health;
        Actor = system.ActorOf(Props.Create(() => new RouterActor(this, health, probe)), name);
    }

    /// <summary>The actor that times queued requests out and probes backends taken out; stopped with the generation.</summary>
    public IActorRef Actor { get; }

    /// <summary>A slot on a backend of <paramref name="pool"/>, or null for the overload answer.</summary>
    /// <exception cref="OperationCanceledException">The front went away while waiting.</exception>
    public Task<Lease?> AcquireAsync(string pool, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<Lease?>(cancellationToken);
        }

        TaskCompletionSource<Lease?> reply;
        long id;
        lock (_gate)
        {
            if (!_state.HasPool(pool))
            {
                return Task.FromException<Lease?>(new InvalidOperationException($"No pool named \"{pool}\"."));
            }

            id = ++_nextWaiter;
            var admission = _state.Acquire(pool, id);
            switch (admission.Kind)
            {
                case RouterState.AdmissionKind.Granted:
                    return Task.FromResult<Lease?>(new Lease(pool, admission.Backend));
                case RouterState.AdmissionKind.Rejected:
                    return s_refused;
            }

            reply = new TaskCompletionSource<Lease?>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters[(pool, id)] = reply;
        }

        Actor.Tell(new RouterActor.StartQueueTimer(pool, id, _queueTimeouts[pool]));
        return WaitAsync(pool, id, reply, cancellationToken);
    }

    /// <summary>
    /// Keeps the slot but moves it to another healthy backend not in <paramref name="tried"/>
    /// (nothing of the request reached <c>lease.Backend</c>); -1 when there is none.
    /// </summary>
    public int Reassign(Lease lease, BackendOutcome outcome, IReadOnlyCollection<int> tried)
    {
        lock (_gate)
        {
            var wasHealthy = _state.IsHealthy(lease.Pool, lease.Backend);
            var next = _state.Reassign(lease.Pool, lease.Backend, outcome, tried);
            LogIfTakenOut(wasHealthy, lease.Pool, lease.Backend);
            return next;
        }
    }

    /// <summary>The relayed request ended: its slot goes back, to the next queued request if any.</summary>
    public void Release(Lease lease, BackendOutcome outcome)
    {
        List<Granted>? granted;
        lock (_gate)
        {
            var wasHealthy = _state.IsHealthy(lease.Pool, lease.Backend);
            granted = TakeWaiters(lease.Pool, _state.Release(lease.Pool, lease.Backend, outcome));
            LogIfTakenOut(wasHealthy, lease.Pool, lease.Backend);
        }

        Answer(granted);
    }

    /// <summary>A backend is known up or down from outside (its process started or exited).</summary>
    public void SetHealth(string pool, int backend, bool healthy)
    {
        List<Granted>? granted;
        lock (_gate)
        {
            granted = TakeWaiters(pool, _state.SetHealth(pool, backend, healthy));
        }

        Answer(granted);
    }

    /// <summary>Backends taken out, to be probed (<see cref="RouterActor"/>).</summary>
    internal List<(string Pool, int Backend)> Unhealthy()
    {
        lock (_gate)
        {
            return _state.Unhealthy().ToList();
        }
    }

    /// <summary>A probe's answer; true when it put the backend back in.</summary>
    internal bool ProbeAnswered(string pool, int backend, bool healthy)
    {
        List<Granted>? granted;
        lock (_gate)
        {
            if (!healthy || _state.IsHealthy(pool, backend))
            {
                return false;
            }

            granted = TakeWaiters(pool, _state.SetHealth(pool, backend, true));
        }

        Answer(granted);
        return true;
    }

    /// <summary>A queued request's queue timeout passed: it gets the overload answer.</summary>
    internal void TimeOut(string pool, long waiterId)
    {
        TaskCompletionSource<Lease?>? reply;
        lock (_gate)
        {
            if (!_state.Cancel(pool, waiterId) || !_waiters.Remove((pool, waiterId), out reply))
            {
                return; // granted or cancelled meanwhile
            }
        }

        reply.TrySetResult(null);
    }

    private async Task<Lease?> WaitAsync(string pool, long id, TaskCompletionSource<Lease?> reply, CancellationToken cancellationToken)
    {
        await using (cancellationToken.Register(() => CancelWait(pool, id, cancellationToken)))
        {
            return await reply.Task.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The front went away while its request was queued. A grant and a cancellation both
    /// decide under the lock, so a slot is never handed to a waiter that is gone.
    /// </summary>
    private void CancelWait(string pool, long id, CancellationToken cancellationToken)
    {
        TaskCompletionSource<Lease?>? reply;
        lock (_gate)
        {
            if (!_waiters.Remove((pool, id), out reply))
            {
                return; // already granted or timed out
            }

            _state.Cancel(pool, id);
        }

        reply.TrySetCanceled(cancellationToken);
        Actor.Tell(new RouterActor.CancelQueueTimer(pool, id));
    }

    private List<Granted>? TakeWaiters(string pool, IReadOnlyList<RouterState.Grant> grants)
    {
        if (grants.Count == 0)
        {
            return null;
        }

        var taken = new List<Granted>(grants.Count);
        foreach (var grant in grants)
        {
            // Every queued ID has its waiter: both leave together, under the lock.
            var found = _waiters.Remove((pool, grant.WaiterId), out var reply);
            Debug.Assert(found, "a granted waiter has no task");
            taken.Add(new Granted(grant.WaiterId, reply!, new Lease(pool, grant.Backend)));
        }

        return taken;
    }

    private void Answer(List<Granted>? granted)
    {
        if (granted is null)
        {
            return;
        }

        foreach (var (waiterId, reply, lease) in granted)
        {
            reply.TrySetResult(lease);
            Actor.Tell(new RouterActor.CancelQueueTimer(lease.Pool, waiterId));
        }
    }

    private void LogIfTakenOut(bool wasHealthy, string pool, int backend)
    {
        if (wasHealthy && !_state.IsHealthy(pool, backend))
        {
            LogTakenOut(_log, backend, pool, _failureThreshold);
        }
    }

    /// <summary>A queued request given a slot under the lock, answered after it.</summary>
    private readonly record struct Granted(long WaiterId, TaskCompletionSource<Lease?> Reply, Lease Lease);

    [LoggerMessage(1, LogLevel.Warning, "Backend {Backend} of pool {Pool} failed {FailureThreshold} times in a row; taken out until a probe succeeds")]
    private static partial void LogTakenOut(ILogger logger, int backend, string pool, int failureThreshold);
}
