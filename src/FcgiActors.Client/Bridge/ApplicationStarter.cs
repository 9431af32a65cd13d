using System.ComponentModel;
using System.Net;
using System.Net.Sockets;
using FcgiActors.Client.Processes;

namespace FcgiActors.Client.Bridge;

/// <summary>
/// Starts FastCGI applications the way a web server does (§2.2): creates the listen socket,
/// then spawns each copy with that socket as fd 0 (FCGI_LISTENSOCK_FILENO) and /dev/null as
/// fds 1 and 2, and leaves them running (<see cref="FastCgiProcess"/>: Process.Start cannot put a
/// socket on a child's fd 0).
/// </summary>
public static class ApplicationStarter
{
    private const int X_OK = 1;

    /// <summary>
    /// Creates the listen socket for <paramref name="address"/>: a Unix socket path is
    /// unlinked first (as cgi-fcgi does); TCP binds the given host (":port" = 127.0.0.1).
    /// </summary>
    public static Socket CreateListenSocket(BackendAddress address, int backlog)
    {
        ArgumentNullException.ThrowIfNull(address);
        Socket socket;
        if (address.IsUnix)
        {
            if (Path.Exists(address.UnixPath) && !Directory.Exists(address.UnixPath))
            {
                File.Delete(address.UnixPath!);
            }

            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        }
        else
        {
            var endPoint = address.ToEndPoint();
            socket = new Socket(endPoint.AddressFamily == AddressFamily.Unspecified ? AddressFamily.InterNetwork : endPoint.AddressFamily,
                SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        }

        try
        {
            var bindTo = address.IsUnix || IPAddress.TryParse(address.Host, out _)
                ? address.ToEndPoint()
                : new IPEndPoint(Dns.GetHostAddresses(address.Host!)[0], address.Port);
            socket.Bind(bindTo);
            socket.Listen(backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Closes our copy of the listen socket without removing a Unix socket's path: the
    /// spawned applications keep listening on it.
    /// </summary>
    public static void CloseKeepingPath(Socket listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        var fd = (int)listener.Handle;
        listener.SafeHandle.SetHandleAsInvalid();
        _ = Libc.close(fd);
        GC.SuppressFinalize(listener);
    }

    /// <summary>True when <paramref name="path"/> names a file the current user may execute.</summary>
    public static bool IsExecutable(string path) => Libc.access(path, X_OK) == 0;

    /// <summary>
    /// Spawns <paramref name="count"/> copies of <paramref name="appPath"/> with
    /// <paramref name="listenSocket"/> as fd 0, /dev/null as fds 1 and 2, the current
    /// environment, SIGPIPE at its default and no blocked signals. Returns their process IDs;
    /// they are not waited for.
    /// </summary>
    /// <exception cref="Win32Exception">posix_spawn failed (errno in NativeErrorCode).</exception>
    public static IReadOnlyList<int> Spawn(string appPath, Socket listenSocket, int count)
    {
        ArgumentNullException.ThrowIfNull(appPath);
        ArgumentNullException.ThrowIfNull(listenSocket);
        return FastCgiProcess.Spawn(appPath, [], new FastCgiProcessOptions { ListenSocket = listenSocket.SafeHandle, DiscardOutput = true }, count);
    }
}
