using FcgiActors.Actors;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Proxy.Routing;

/// <summary>
/// Front request → backend slot. Owns <see cref="RouterState"/>: per-pool concurrency caps,
/// bounded queues with a timeout, least-outstanding balancing, passive health and active
/// probing of backends taken out. Replies complete task sources (see <see cref="AcquireSlot"/>).
/// </summary>
internal sealed partial class RouterActor : ReceiveActor
{
    private readonly RouterState _state;
    private readonly Dictionary<(string Pool, long WaiterId), TaskCompletionSource<Lease?>> _waiters = [];
    private readonly Dictionary<string, TimeSpan> _queueTimeouts;
    private readonly HashSet<(string Pool, int Backend)> _probing = [];
    private readonly Func<string, int, CancellationToken, Task<bool>> _probe;
    private readonly HealthSettings _health;

    public RouterActor(ProxySettings settings, IReadOnlyDictionary<string, int> backendCounts, Func<string, int, CancellationToken, Task<bool>> probe)
    {
        _state = new RouterState(
            settings.Pools.Select(p => (p.Name, backendCounts[p.Name], p.MaxConcurrency, p.QueueSize)),
            settings.Health.FailureThreshold);
        _queueTimeouts = settings.Pools.ToDictionary(p => p.Name, p => p.QueueTimeout);
        _probe = probe;
        _health = settings.Health;

        Receive<AcquireSlot>(OnAcquire);
        Receive<CancelWait>(m =>
        {
            if (_state.Cancel(m.Pool, m.WaiterId))
            {
                Context.Timers.Cancel((m.Pool, m.WaiterId));
            }

            _waiters.Remove((m.Pool, m.WaiterId));
        });
        Receive<QueueTimedOut>(m =>
        {
            if (_state.Cancel(m.Pool, m.WaiterId) && _waiters.Remove((m.Pool, m.WaiterId), out var reply))
            {
                reply.TrySetResult(null);
            }
        });
        Receive<ReassignLease>(m =>
        {
            var wasHealthy = _state.IsHealthy(m.Lease.Pool, m.Lease.Backend);
            var next = _state.Reassign(m.Lease.Pool, m.Lease.Backend, m.Outcome, m.Tried);
            LogIfTakenOut(wasHealthy, m.Lease.Pool, m.Lease.Backend);
            m.Reply.TrySetResult(next);
        });
        Receive<ReleaseLease>(m =>
        {
            var wasHealthy = _state.IsHealthy(m.Lease.Pool, m.Lease.Backend);
            Grant(m.Lease.Pool, _state.Release(m.Lease.Pool, m.Lease.Backend, m.Outcome));
            LogIfTakenOut(wasHealthy, m.Lease.Pool, m.Lease.Backend);
        });
        Receive<SetBackendHealth>(m => Grant(m.Pool, _state.SetHealth(m.Pool, m.Backend, m.Healthy)));
        Receive<ProbeTick>(_ => StartProbes());
        Receive<ProbeCompleted>(m =>
        {
            _probing.Remove((m.Pool, m.Backend));
            if (m.Healthy && !_state.IsHealthy(m.Pool, m.Backend))
            {
                Context.Log.LogInformation("Backend {Backend} of pool {Pool} answered its probe; back in", m.Backend, m.Pool);
                Grant(m.Pool, _state.SetHealth(m.Pool, m.Backend, true));
            }
        });
    }

    protected override void PreStart() =>
        Context.Timers.StartPeriodicTimer(nameof(ProbeTick), ProbeTick.Instance, _health.ProbeInterval);

    private void OnAcquire(AcquireSlot m)
    {
        if (!_state.HasPool(m.Pool))
        {
            m.Reply.TrySetException(new InvalidOperationException($"No pool named \"{m.Pool}\"."));
            return;
        }

        var admission = _state.Acquire(m.Pool, m.WaiterId);
        switch (admission.Kind)
        {
            case RouterState.AdmissionKind.Granted:
                if (!m.Reply.TrySetResult(new Lease(m.Pool, admission.Backend)))
                {
                    // The front gave up before the answer: give the slot back.
                    Grant(m.Pool, _state.Release(m.Pool, admission.Backend, BackendOutcome.Cancelled));
                }

                break;
            case RouterState.AdmissionKind.Queued:
                _waiters[(m.Pool, m.WaiterId)] = m.Reply;
                Context.Timers.StartSingleTimer((m.Pool, m.WaiterId), new QueueTimedOut(m.Pool, m.WaiterId), _queueTimeouts[m.Pool]);
                break;
            default:
                m.Reply.TrySetResult(null);
                break;
        }
    }

    private void Grant(string pool, IReadOnlyList<RouterState.Grant> grants)
    {
        // Grants that nobody takes any more free their slot, which may grant the next waiter.
        var pending = new Queue<RouterState.Grant>(grants);
        while (pending.TryDequeue(out var grant))
        {
            Context.Timers.Cancel((pool, grant.WaiterId));
            if (_waiters.Remove((pool, grant.WaiterId), out var reply) && reply.TrySetResult(new Lease(pool, grant.Backend)))
            {
                continue;
            }

            foreach (var next in _state.Release(pool, grant.Backend, BackendOutcome.Cancelled))
            {
                pending.Enqueue(next);
            }
        }
    }

    private void StartProbes()
    {
        foreach (var (pool, backend) in _state.Unhealthy().ToList())
        {
            if (!_probing.Add((pool, backend)))
            {
                continue;
            }

            var self = Self;
            var probe = _probe;
            var timeout = _health.ProbeTimeout;
            _ = Task.Run(async () =>
            {
                bool healthy;
                using var cts = new CancellationTokenSource(timeout);
                try
                {
                    healthy = await probe(pool, backend, cts.Token).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    healthy = false;
                }

                self.Tell(new ProbeCompleted(pool, backend, healthy));
            });
        }
    }

    private void LogIfTakenOut(bool wasHealthy, string pool, int backend)
    {
        if (wasHealthy && !_state.IsHealthy(pool, backend))
        {
            Context.Log.LogWarning("Backend {Backend} of pool {Pool} failed {FailureThreshold} times in a row; taken out until a probe succeeds",
                backend, pool, _health.FailureThreshold);
        }
    }
}
