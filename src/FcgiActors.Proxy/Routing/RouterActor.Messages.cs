namespace FcgiActors.Proxy.Routing;

internal sealed partial class RouterActor
{
    /// <summary>
    /// Asks for a slot. The answer goes to <paramref name="Reply"/>, not to an Ask, so that a
    /// grant racing with the front's cancellation is never lost: whoever completes the task
    /// first wins, and a grant nobody took is released at once.
    /// </summary>
    public sealed record AcquireSlot(string Pool, long WaiterId, TaskCompletionSource<Lease?> Reply)
    {
        public override string ToString() => $"AcquireSlot({Pool}, {WaiterId})";
    }

    /// <summary>The waiter's front went away while it was queued.</summary>
    public sealed record CancelWait(string Pool, long WaiterId);

    /// <summary>Nothing reached <c>Lease.Backend</c>: move the slot to another backend not in <paramref name="Tried"/> (-1 if none).</summary>
    public sealed record ReassignLease(Lease Lease, BackendOutcome Outcome, int[] Tried, TaskCompletionSource<int> Reply)
    {
        public override string ToString() => $"ReassignLease({Lease}, {Outcome})";
    }

    /// <summary>The relayed request ended.</summary>
    public sealed record ReleaseLease(Lease Lease, BackendOutcome Outcome);

    /// <summary>A backend is known up or down from outside (its process started or exited).</summary>
    public sealed record SetBackendHealth(string Pool, int Backend, bool Healthy);

    /// <summary>Timer: probe the backends that are out.</summary>
    public sealed class ProbeTick
    {
        public static readonly ProbeTick Instance = new();
    }

    /// <summary>A probe ended.</summary>
    public sealed record ProbeCompleted(string Pool, int Backend, bool Healthy);

    /// <summary>Timer: a queued waiter's queue-timeout passed.</summary>
    public sealed record QueueTimedOut(string Pool, long WaiterId);
}
