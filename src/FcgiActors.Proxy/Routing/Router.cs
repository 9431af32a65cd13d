using FcgiActors.Actors;

namespace FcgiActors.Proxy.Routing;

/// <summary>The relay's view of <see cref="RouterActor"/>: awaitable slots, fire-and-forget releases.</summary>
internal sealed class Router
{
    private readonly IActorRef _actor;
    private long _nextWaiter;

    public Router(IActorRef actor) => _actor = actor;

    /// <summary>A slot on a backend of <paramref name="pool"/>, or null for the overload answer.</summary>
    /// <exception cref="OperationCanceledException">The front went away while waiting.</exception>
    public async Task<Lease?> AcquireAsync(string pool, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<Lease?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = Interlocked.Increment(ref _nextWaiter);
        _actor.Tell(new RouterActor.AcquireSlot(pool, id, reply));
        await using (cancellationToken.Register(() =>
        {
            if (reply.TrySetCanceled(cancellationToken))
            {
                _actor.Tell(new RouterActor.CancelWait(pool, id));
            }
        }))
        {
            return await reply.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Another backend for a request that never reached <c>lease.Backend</c>, or -1.</summary>
    public Task<int> ReassignAsync(Lease lease, BackendOutcome outcome, IReadOnlyCollection<int> tried)
    {
        var reply = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _actor.Tell(new RouterActor.ReassignLease(lease, outcome, tried.ToArray(), reply));
        return reply.Task;
    }

    public void Release(Lease lease, BackendOutcome outcome) => _actor.Tell(new RouterActor.ReleaseLease(lease, outcome));

    public void SetHealth(string pool, int backend, bool healthy) => _actor.Tell(new RouterActor.SetBackendHealth(pool, backend, healthy));
}
