namespace FcgiActors.Diagnostics;

/// <summary>How a request ended (the <c>outcome</c> tag of <c>fcgi.requests</c>).</summary>
public enum FcgiRequestOutcome
{
    /// <summary>END_REQUEST{REQUEST_COMPLETE} with appStatus 0 after the whole response (whatever the HTTP status).</summary>
    Completed,

    /// <summary>Ended early with its output dropped: FCGI_ABORT_REQUEST, or the connection was lost.</summary>
    Aborted,

    /// <summary>Refused with END_REQUEST{FCGI_OVERLOADED} (and <c>Status: 503</c> when configured).</summary>
    Overloaded,

    /// <summary>Refused with END_REQUEST{FCGI_UNKNOWN_ROLE}.</summary>
    UnknownRole,

    /// <summary>Refused with END_REQUEST{FCGI_CANT_MPX_CONN}: a second request on a non-multiplexed connection.</summary>
    CantMpx,

    /// <summary>The request failed: appStatus ≠ 0, the handler threw, or it broke a limit (PARAMS, body window, body rate).</summary>
    Error,
}
