namespace FcgiActors.Responder;

/// <summary>
/// What happens when a request's STDIN (or DATA) window is full because its handler does not
/// read fast enough. FastCGI has no per-request flow control, so on a multiplexed connection
/// one such request would otherwise stall every other request (DESIGN.md "Flow control").
/// </summary>
public enum StdinWindowPolicy
{
    /// <summary>
    /// Fail that request (its handler sees the body end with an error, it is cancelled, and
    /// END_REQUEST with appStatus 1 is sent) when other requests are active on the connection;
    /// a request alone on its connection pauses reading instead, since there is nobody to stall.
    /// </summary>
    FailRequest = 0,

    /// <summary>Stop reading the connection until the handler makes room (TCP backpressure to the web server).</summary>
    PauseConnection = 1,
}
