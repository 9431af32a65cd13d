namespace FcgiActors.Proxy.Routing;

internal sealed partial class RouterActor
{
    /// <summary>A request was queued: answer it with the overload policy after <paramref name="Timeout"/> unless it leaves the queue first.</summary>
    public sealed record StartQueueTimer(string Pool, long WaiterId, TimeSpan Timeout);

    /// <summary>A queued request left the queue (granted a slot, or its front went away).</summary>
    public sealed record CancelQueueTimer(string Pool, long WaiterId);

    /// <summary>Timer: probe the backends that are out.</summary>
    public sealed class ProbeTick
    {
        public static readonly ProbeTick Instance = new();
    }

    /// <summary>A probe ended.</summary>
    public sealed record ProbeCompleted(string Pool, int Backend, bool Healthy);

    /// <summary>Timer: a queued request's queue timeout passed.</summary>
    public sealed record QueueTimedOut(string Pool, long WaiterId);
}
