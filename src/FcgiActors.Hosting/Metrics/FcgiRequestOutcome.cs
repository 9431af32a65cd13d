namespace FcgiActors.Hosting.Metrics;

/// <summary>How a request ended (the <c>fcgi.outcome</c> tag of <c>fcgi.requests</c>).</summary>
public enum FcgiRequestOutcome
{
    /// <summary>The handler returned and END_REQUEST{REQUEST_COMPLETE} was sent (whatever the HTTP status).</summary>
    Completed,

    /// <summary>The handler threw, or the request broke a limit (request error scope).</summary>
    Failed,

    /// <summary>ABORT_REQUEST, connection loss, or shutdown past the drain timeout.</summary>
    Aborted,

    /// <summary>Refused before a handler ran (limits, unknown role, filtered peer).</summary>
    Rejected,

    /// <summary>Refused for overload (END_REQUEST{OVERLOADED} or <c>Status: 503</c>).</summary>
    Overloaded,
}
