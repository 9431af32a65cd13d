namespace FcgiActors.Responder.Libfcgi;

/// <summary>The three streams of a libfcgi request (FCGX_Request in, out, err).</summary>
public enum FcgxStream
{
    /// <summary>STDIN (or DATA after <see cref="FcgxRequest.StartFilterData"/>).</summary>
    In,

    /// <summary>STDOUT.</summary>
    Out,

    /// <summary>STDERR.</summary>
    Err,
}
