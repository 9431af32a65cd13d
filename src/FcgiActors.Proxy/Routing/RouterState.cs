using System.Diagnostics;

namespace FcgiActors.Proxy.Routing;

/// <summary>
/// The router's bookkeeping, free of time and threads so it can be tested step by step: per
/// pool a concurrency cap and a bounded FIFO of waiters; per backend its outstanding requests,
/// consecutive failures and health. Balancing is least-outstanding-requests among healthy
/// backends, ties broken round-robin. Not thread-safe: <see cref="Router"/> holds its lock around every call.
/// </summary>
internal sealed class RouterState
{
    private readonly Dictionary<string, PoolState> _pools = new(StringComparer.Ordinal);
    private readonly int _failureThreshold;

    public RouterState(IEnumerable<(string Name, int Backends, int MaxConcurrency, int QueueSize)> pools, int failureThreshold)
    {
        foreach (var (name, backends, max, queue) in pools)
        {
            _pools[name] = new PoolState(backends, max, queue);
        }

        _failureThreshold = failureThreshold;
    }

    /// <summary>Result of <see cref="Acquire"/>: a backend index, or queued, or rejected.</summary>
    public readonly record struct Admission(AdmissionKind Kind, int Backend);

    public enum AdmissionKind { Granted, Queued, Rejected }

    /// <summary>A queued waiter that has now been given a backend.</summary>
    public readonly record struct Grant(long WaiterId, int Backend);

    public bool HasPool(string pool) => _pools.ContainsKey(pool);

    public int InFlight(string pool) => _pools[pool].InFlight;

    public int Queued(string pool) => _pools[pool].Queue.Count;

    public int Outstanding(string pool, int backend) => _pools[pool].Backends[backend].Outstanding;

    public bool IsHealthy(string pool, int backend) => _pools[pool].Backends[backend].Healthy;

    /// <summary>Takes a slot and a backend at once, or queues the waiter, or rejects it when the queue is full.</summary>
    public Admission Acquire(string pool, long waiterId)
    {
        var p = _pools[pool];
        if (p.InFlight < p.MaxConcurrency && p.Queue.Count == 0)
        {
            var backend = p.Pick(exclude: null);
            if (backend >= 0)
            {
                p.InFlight++;
                p.Backends[backend].Outstanding++;
                return new Admission(AdmissionKind.Granted, backend);
            }
        }

        if (p.Queue.Count < p.QueueSize)
        {
            p.Queue.AddLast(waiterId);
            FcgiInstruments.ProxyQueued();
            return new Admission(AdmissionKind.Queued, -1);
        }

        return new Admission(AdmissionKind.Rejected, -1);
    }

    /// <summary>Removes a waiter that timed out or whose front went away; false when it was no longer queued.</summary>
    public bool Cancel(string pool, long waiterId)
    {
        var removed = _pools[pool].Queue.Remove(waiterId);
        if (removed)
        {
            FcgiInstruments.ProxyDequeued();
        }

        return removed;
    }

    /// <summary>
    /// Keeps the slot but moves the request to another healthy backend not in
    /// <paramref name="tried"/> (the retry rule: only when nothing reached the first one).
    /// Returns -1 when there is none; the caller then releases the slot.
    /// </summary>
    public int Reassign(string pool, int from, BackendOutcome outcome, IReadOnlyCollection<int> tried)
    {
        var p = _pools[pool];
        Record(p, from, outcome);
        p.Backends[from].Outstanding--;
        var next = p.Pick(tried);
        if (next >= 0)
        {
            p.Backends[next].Outstanding++;
        }
        else
        {
            // Keep the books balanced: the caller releases with Cancelled, which counts nothing.
            p.Backends[from].Outstanding++;
        }

        return next;
    }

    /// <summary>Frees a slot, records the outcome, and hands freed capacity to queued waiters.</summary>
    public IReadOnlyList<Grant> Release(string pool, int backend, BackendOutcome outcome)
    {
        var p = _pools[pool];
        Debug.Assert(p.InFlight > 0 && p.Backends[backend].Outstanding > 0);
        p.InFlight--;
        p.Backends[backend].Outstanding--;
        Record(p, backend, outcome);
        return Dispatch(p);
    }

    /// <summary>Backends taken out that are due a probe.</summary>
    public IEnumerable<(string Pool, int Backend)> Unhealthy()
    {
        foreach (var (name, p) in _pools)
        {
            for (var i = 0; i < p.Backends.Length; i++)
            {
                if (!p.Backends[i].Healthy)
                {
                    yield return (name, i);
                }
            }
        }
    }

    /// <summary>Marks a backend up or down from outside (probe result, process started or exited).</summary>
    public IReadOnlyList<Grant> SetHealth(string pool, int backend, bool healthy)
    {
        var p = _pools[pool];
        var b = p.Backends[backend];
        b.Healthy = healthy;
        b.Failures = healthy ? 0 : Math.Max(b.Failures, _failureThreshold);
        return healthy ? Dispatch(p) : [];
    }

    private void Record(PoolState p, int backend, BackendOutcome outcome)
    {
        var b = p.Backends[backend];
        switch (outcome)
        {
            case BackendOutcome.Success:
                b.Failures = 0;
                break;
            case BackendOutcome.NotReached:
            case BackendOutcome.Failed:
                if (++b.Failures >= _failureThreshold)
                {
                    b.Healthy = false;
                }

                break;
        }
    }

    private static IReadOnlyList<Grant> Dispatch(PoolState p)
    {
        List<Grant>? grants = null; // every request releases a slot; most find nobody queued
        while (p.Queue.First is { } first && p.InFlight < p.MaxConcurrency)
        {
            var backend = p.Pick(exclude: null);
            if (backend < 0)
            {
                break;
            }

            p.Queue.RemoveFirst();
            FcgiInstruments.ProxyDequeued();
            p.InFlight++;
            p.Backends[backend].Outstanding++;
            (grants ??= []).Add(new Grant(first.Value, backend));
        }

        return grants ?? (IReadOnlyList<Grant>)[];
    }

    private sealed class BackendState
    {
        public int Outstanding;
        public int Failures;
        public bool Healthy = true;
    }

    private sealed class PoolState
    {
        public readonly BackendState[] Backends;
        public readonly int MaxConcurrency;
        public readonly int QueueSize;
        public readonly LinkedList<long> Queue = new();
        public int InFlight;
        private int _next;

        public PoolState(int backends, int maxConcurrency, int queueSize)
        {
            Backends = Enumerable.Range(0, backends).Select(_ => new BackendState()).ToArray();
            MaxConcurrency = maxConcurrency;
            QueueSize = queueSize;
        }

        /// <summary>Least outstanding among healthy backends, scanning from a rotating start so ties spread.</summary>
        public int Pick(IReadOnlyCollection<int>? exclude)
        {
            var best = -1;
            var n = Backends.Length;
            for (var k = 0; k < n; k++)
            {
                var i = (_next + k) % n;
                var b = Backends[i];
                if (!b.Healthy || (exclude is not null && exclude.Contains(i)))
                {
                    continue;
                }

                if (best < 0 || b.Outstanding < Backends[best].Outstanding)
                {
                    best = i;
                }
            }

            if (best >= 0)
            {
                _next = (best + 1) % n;
            }

            return best;
        }
    }
}
