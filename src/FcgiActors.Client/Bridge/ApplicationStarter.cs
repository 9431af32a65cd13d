using System.ComponentModel;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FcgiActors.Client.Bridge;

/// <summary>
/// Starts FastCGI applications the way a web server does (§2.2): creates the listen socket,
/// then spawns each copy with that socket as fd 0 (FCGI_LISTENSOCK_FILENO) and /dev/null as
/// fds 1 and 2, and leaves them running. Uses posix_spawn(3) directly: Process.Start cannot
/// put a socket on a child's fd 0.
/// </summary>
public static class ApplicationStarter
{
    private const int SIGPIPE = 13;
    private const int O_WRONLY = 1;
    private const short POSIX_SPAWN_SETSIGDEF = 0x04;
    private const short POSIX_SPAWN_SETSIGMASK = 0x08;
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
        _ = Close(fd);
        GC.SuppressFinalize(listener);
    }

    /// <summary>True when <paramref name="path"/> names a file the current user may execute.</summary>
    public static bool IsExecutable(string path) => Access(path, X_OK) == 0;

    /// <summary>
    /// Spawns <paramref name="count"/> copies of <paramref name="appPath"/> with
    /// <paramref name="listenSocket"/> as fd 0, the current environment, SIGPIPE at its
    /// default and no blocked signals. Returns their process IDs; they are not waited for.
    /// </summary>
    /// <exception cref="Win32Exception">posix_spawn failed (errno in NativeErrorCode).</exception>
    public static IReadOnlyList<int> Spawn(string appPath, Socket listenSocket, int count)
    {
        ArgumentNullException.ThrowIfNull(appPath);
        ArgumentNullException.ThrowIfNull(listenSocket);
        var fd = (int)listenSocket.Handle;
        // glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128:
        // generous blocks keep this correct on other libcs too.
        var actions = Marshal.AllocHGlobal(1024);
        var attributes = Marshal.AllocHGlobal(1024);
        var signals = Marshal.AllocHGlobal(1024);
        var argv = new IntPtr[2];
        argv[0] = Marshal.StringToCoTaskMemUTF8(appPath);
        var pids = new List<int>(count);
        try
        {
            Check(posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            Check(posix_spawnattr_init(attributes), "posix_spawnattr_init");
            try
            {
                // dup2 clears close-on-exec on the new fd 0, so only 0, 1 and 2 reach the app.
                Check(posix_spawn_file_actions_adddup2(actions, fd, 0), "posix_spawn_file_actions_adddup2");
                Check(posix_spawn_file_actions_addopen(actions, 1, "/dev/null", O_WRONLY, 0), "posix_spawn_file_actions_addopen");
                Check(posix_spawn_file_actions_addopen(actions, 2, "/dev/null", O_WRONLY, 0), "posix_spawn_file_actions_addopen");
                // .NET ignores SIGPIPE; an exec'd program must get the default back.
                _ = sigemptyset(signals);
                _ = sigaddset(signals, SIGPIPE);
                Check(posix_spawnattr_setsigdefault(attributes, signals), "posix_spawnattr_setsigdefault");
                _ = sigemptyset(signals);
                Check(posix_spawnattr_setsigmask(attributes, signals), "posix_spawnattr_setsigmask");
                Check(posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK), "posix_spawnattr_setflags");
                var environment = GetEnviron();
                for (var i = 0; i < count; i++)
                {
                    Check(posix_spawn(out var pid, appPath, actions, attributes, argv, environment), "posix_spawn");
                    pids.Add(pid);
                }
            }
            finally
            {
                _ = posix_spawn_file_actions_destroy(actions);
                _ = posix_spawnattr_destroy(attributes);
            }
        }
        finally
        {
            Marshal.FreeCoTaskMem(argv[0]);
            Marshal.FreeHGlobal(actions);
            Marshal.FreeHGlobal(attributes);
            Marshal.FreeHGlobal(signals);
        }

        return pids;
    }

    private static IntPtr GetEnviron()
    {
        var libc = NativeLibrary.Load("libc.so.6");
        return Marshal.ReadIntPtr(NativeLibrary.GetExport(libc, "environ"));
    }

    private static void Check(int result, string call)
    {
        if (result != 0)
        {
            throw new Win32Exception(result, $"{call} failed: {new Win32Exception(result).Message}");
        }
    }

#pragma warning disable SYSLIB1054, CA5392, CA2101 // classic P/Invoke keeps start-up free of source-generated stubs
    [DllImport("libc", EntryPoint = "access", SetLastError = true)]
    private static extern int Access([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);

    [DllImport("libc")]
    private static extern int posix_spawn(out int pid, [MarshalAs(UnmanagedType.LPUTF8Str)] string path,
        IntPtr fileActions, IntPtr attributes, IntPtr[] argv, IntPtr envp);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_init(IntPtr actions);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_destroy(IntPtr actions);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_adddup2(IntPtr actions, int fd, int newFd);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_addopen(IntPtr actions, int fd,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport("libc")]
    private static extern int posix_spawnattr_init(IntPtr attributes);

    [DllImport("libc")]
    private static extern int posix_spawnattr_destroy(IntPtr attributes);

    [DllImport("libc")]
    private static extern int posix_spawnattr_setflags(IntPtr attributes, short flags);

    [DllImport("libc")]
    private static extern int posix_spawnattr_setsigdefault(IntPtr attributes, IntPtr signals);

    [DllImport("libc")]
    private static extern int posix_spawnattr_setsigmask(IntPtr attributes, IntPtr signals);

    [DllImport("libc")]
    private static extern int sigemptyset(IntPtr set);

    [DllImport("libc")]
    private static extern int sigaddset(IntPtr set, int signal);
#pragma warning restore SYSLIB1054, CA5392, CA2101
}
