using System.Net.Sockets;

namespace FcgiActors.Responder.Actors;

internal sealed partial class ListenerActor
{
    /// <summary>Event from the accept loop.</summary>
    public sealed record Accepted(Socket Socket)
    {
        public override string ToString() => nameof(Accepted);
    }

    /// <summary>Event: the accept loop ended (listen socket closed or failed).</summary>
    public sealed record AcceptLoopEnded(Exception? Error)
    {
        public override string ToString() => nameof(AcceptLoopEnded);
    }

    /// <summary>Command: close the listen socket; replies <c>Status.Success</c>.</summary>
    public sealed class StopAccepting
    {
        public static readonly StopAccepting Instance = new();

        public override string ToString() => nameof(StopAccepting);
    }

    /// <summary>Command: every connection finishes its requests and closes.</summary>
    public sealed class DrainConnections
    {
        public static readonly DrainConnections Instance = new();

        public override string ToString() => nameof(DrainConnections);
    }

    /// <summary>Command: every connection is closed now, its requests cancelled.</summary>
    public sealed class AbortConnections
    {
        public static readonly AbortConnections Instance = new();

        public override string ToString() => nameof(AbortConnections);
    }
}
