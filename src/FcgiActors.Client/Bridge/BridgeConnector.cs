using System.Net.Sockets;

namespace FcgiActors.Client.Bridge;

/// <summary>
/// The bridge's one connect: a plain blocking connect(2), bounded by SO_SNDTIMEO (Linux applies
/// the send timeout to connect on TCP and Unix sockets), so no async machinery, timer or thread
/// pool is touched at start-up. Failures come back as the errno cgi-fcgi would exit with.
/// </summary>
internal static class BridgeConnector
{
    private const int SOL_SOCKET = 1;
    private const int SO_SNDTIMEO = 21;
    private const int ETIMEDOUT = 110;

    /// <summary>Connects to <paramref name="address"/>; null with the errno when it cannot.</summary>
    public static Socket? TryConnect(BackendAddress address, TimeSpan timeout, out int errno)
    {
        var (family, protocol) = address.SocketKind();
        var socket = family == AddressFamily.Unspecified
            ? new Socket(SocketType.Stream, ProtocolType.Tcp)
            : new Socket(family, SocketType.Stream, protocol);
        try
        {
            if (!address.IsUnix)
            {
                // Whole records go out in one send each; the last, small ones must not wait for an ACK.
                socket.NoDelay = true;
            }

            SetSendTimeout(socket, timeout);
            socket.Connect(address.ToEndPoint());
            SetSendTimeout(socket, TimeSpan.Zero);
            errno = 0;
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            // A connect cut short by SO_SNDTIMEO fails with EINPROGRESS (TCP) or EAGAIN (Unix).
            errno = ex.SocketErrorCode is SocketError.InProgress or SocketError.WouldBlock ? ETIMEDOUT : Errno(ex);
            return null;
        }
    }

    /// <summary>struct timeval on SO_SNDTIMEO; zero means "no timeout" again for the sends that follow.</summary>
    private static void SetSendTimeout(Socket socket, TimeSpan timeout)
    {
        Span<long> timeval = [timeout.Ticks / TimeSpan.TicksPerSecond, timeout.Ticks % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMicrosecond];
        socket.SetRawSocketOption(SOL_SOCKET, SO_SNDTIMEO, System.Runtime.InteropServices.MemoryMarshal.AsBytes(timeval));
    }

    /// <summary>The errno behind a socket error, as cgi-fcgi exits with errno.</summary>
    public static int Errno(SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => 111,       // ECONNREFUSED
        SocketError.AddressNotAvailable => 2,       // ENOENT: no socket file at the path
        SocketError.ConnectionReset => 104,         // ECONNRESET
        SocketError.TimedOut => ETIMEDOUT,          // ETIMEDOUT
        SocketError.HostUnreachable => 113,         // EHOSTUNREACH
        SocketError.NetworkUnreachable => 101,      // ENETUNREACH
        SocketError.AccessDenied => 13,             // EACCES
        SocketError.AddressAlreadyInUse => 98,      // EADDRINUSE
        SocketError.Shutdown => 32,                 // EPIPE
        SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => 2,
        _ => ex.NativeErrorCode is > 0 and < 256 ? ex.NativeErrorCode : BridgeExitCodes.ProtocolError,
    };
}
