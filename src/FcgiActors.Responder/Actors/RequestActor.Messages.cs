namespace FcgiActors.Responder.Actors;

internal sealed partial class RequestActor
{
    /// <summary>Command: ABORT_REQUEST arrived, or the connection is going away.</summary>
    public sealed class AbortRequest
    {
        public static readonly AbortRequest Instance = new();

        public override string ToString() => nameof(AbortRequest);
    }

    /// <summary>Event: the handler's task finished (<paramref name="Error"/> when it threw).</summary>
    public sealed record HandlerCompleted(Exception? Error)
    {
        public override string ToString() => Error is null ? "HandlerCompleted" : "HandlerCompleted(failed)";
    }
}
