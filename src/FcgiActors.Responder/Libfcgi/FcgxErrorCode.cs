namespace FcgiActors.Responder.Libfcgi;

/// <summary>Negative error codes, numbered as libfcgi's fcgiapp.h where it has one.</summary>
public enum FcgxErrorCode
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The application is shutting down: Accept returns this (libfcgi returns -1).</summary>
    Shutdown = -1,

    /// <summary>FCGX_UNSUPPORTED_VERSION.</summary>
    UnsupportedVersion = -2,

    /// <summary>FCGX_PROTOCOL_ERROR: the stream broke (short body, connection lost).</summary>
    ProtocolError = -3,

    /// <summary>FCGX_PARAMS_ERROR.</summary>
    ParamsError = -4,

    /// <summary>FCGX_CALL_SEQ_ERROR: called without an accepted request, or after Finish.</summary>
    CallSequenceError = -5,

    /// <summary>The web server aborted the request (FCGI_ABORT_REQUEST or disconnect); not in libfcgi.</summary>
    Aborted = -6,
}
