namespace FcgiActors.Diagnostics;

/// <summary>What went wrong with a backend (the <c>error.type</c> tag of <c>fcgi.backend.errors</c>).</summary>
public enum FcgiBackendError
{
    /// <summary>Connecting failed: refused, unreachable, or the connect timeout passed.</summary>
    Connect,

    /// <summary>An open connection failed (EOF, reset, protocol error, abort timeout) while requests were on it; counted per request.</summary>
    ConnectionLost,

    /// <summary>The proxy could not place a request on a backend (nothing of it was sent).</summary>
    NotReached,

    /// <summary>The proxy lost a backend's response part-way (the front got 502 or a truncated response).</summary>
    Response,
}
