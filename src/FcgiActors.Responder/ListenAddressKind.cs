namespace FcgiActors.Responder;

/// <summary>The transport of a <see cref="ListenAddress"/>.</summary>
public enum ListenAddressKind
{
    /// <summary>A TCP address and port (IPv4 or IPv6).</summary>
    Tcp,

    /// <summary>A Unix domain socket path.</summary>
    Unix,

    /// <summary>An inherited listening socket (FCGI_LISTENSOCK_FILENO = 0 when spawned by a web server).</summary>
    FileDescriptor,
}
