namespace FcgiActors.Responder.Connections;

/// <summary>
/// The connection actor as the read loop and the writer see it: events they report, in the
/// order they happen. Implementations only post messages; they never block.
/// </summary>
internal interface IConnectionOwner
{
    /// <summary>PARAMS is complete: start the handler.</summary>
    void RequestReady(RequestState request);

    /// <summary>ABORT_REQUEST for a request whose handler runs.</summary>
    void AbortReceived(RequestState request);

    /// <summary>The connection is finished (both loops ended, socket closed).</summary>
    void ConnectionClosed(FcgiConnection connection, Exception? error);
}
