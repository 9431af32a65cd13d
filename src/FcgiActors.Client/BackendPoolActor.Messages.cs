namespace FcgiActors.Client;

internal sealed partial class BackendPoolActor
{
    /// <summary>Send this request on a free slot: now, after a connect, or from the wait queue.</summary>
    public sealed record SendRequest(PendingRequest Request)
    {
        public override string ToString() => nameof(SendRequest);
    }

    /// <summary>Close every connection, fail what waits, reply <see cref="ShutdownCompleted"/> once all are gone, then stop.</summary>
    public sealed record Shutdown
    {
        public static readonly Shutdown Instance = new();

        public override string ToString() => nameof(Shutdown);
    }

    public sealed record ShutdownCompleted
    {
        public static readonly ShutdownCompleted Instance = new();

        public override string ToString() => nameof(ShutdownCompleted);
    }

    /// <summary>Timer: close kept connections idle for longer than the idle timeout.</summary>
    internal sealed record SweepIdle
    {
        public static readonly SweepIdle Instance = new();

        public override string ToString() => nameof(SweepIdle);
    }
}
