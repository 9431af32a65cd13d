namespace FcgiActors.Proxy;

/// <summary>Whether the proxy multiplexes several requests over one backend connection.</summary>
public enum MultiplexingMode
{
    /// <summary>Ask the backend with FCGI_GET_VALUES and multiplex only when it answers FCGI_MPXS_CONNS=1.</summary>
    Auto = 0,

    /// <summary>Multiplex without asking (the backend is known to, e.g. our own responder or Go net/http/fcgi).</summary>
    On = 1,

    /// <summary>One request per connection at a time, connections kept alive (PHP-FPM, libfcgi).</summary>
    Off = 2,
}
