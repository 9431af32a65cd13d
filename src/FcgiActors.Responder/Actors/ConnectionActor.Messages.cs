using FcgiActors.Responder.Connections;

namespace FcgiActors.Responder.Actors;

internal sealed partial class ConnectionActor
{
    /// <summary>Event from the read loop: PARAMS of a request are complete.</summary>
    public sealed record RequestReady(RequestState Request)
    {
        public override string ToString() => $"RequestReady({Request.Id})";
    }

    /// <summary>Event from the read loop: ABORT_REQUEST (or a failure) for a running request.</summary>
    public sealed record AbortReceived(RequestState Request)
    {
        public override string ToString() => $"AbortReceived({Request.Id})";
    }

    /// <summary>Event: both loops ended and the socket is closed.</summary>
    public sealed record ConnectionClosed(Exception? Error)
    {
        public override string ToString() => Error is null ? "ConnectionClosed" : "ConnectionClosed(error)";
    }

    /// <summary>Command: finish the active requests, accept no new ones, then close gracefully.</summary>
    public sealed class Drain
    {
        public static readonly Drain Instance = new();

        public override string ToString() => nameof(Drain);
    }

    /// <summary>Command: cancel every request and close now.</summary>
    public sealed class AbortConnection
    {
        public static readonly AbortConnection Instance = new();

        public override string ToString() => nameof(AbortConnection);
    }
}
