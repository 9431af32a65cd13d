using System.ComponentModel;
using System.Runtime.InteropServices;

namespace FcgiActors.Client.Processes;

/// <summary>
/// A FastCGI application started with posix_spawn(3), so that a listen socket can be handed to it
/// as fd 0 (FCGI_LISTENSOCK_FILENO, §2.2) — System.Diagnostics.Process cannot pass a socket. The
/// child gets no blocked signals and SIGPIPE at its default (.NET ignores SIGPIPE, and ignored
/// signals survive exec), and no descriptor above 2. Exit is observed with waitpid(WNOHANG): the
/// runtime only reaps the children it started itself.
/// </summary>
internal sealed class FastCgiProcess
{
    private const int SIGPIPE = 13;
    private const int WNOHANG = 1;
    private const int O_RDONLY = 0;
    private const int O_WRONLY = 1;
    private const short POSIX_SPAWN_SETSIGDEF = 0x04;
    private const short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FastCgiProcess(int pid)
    {
        Pid = pid;
        _ = WatchAsync();
    }

    public int Pid { get; }

    /// <summary>Completes with the exit code (128 + signal number when killed by a signal).</summary>
    public Task<int> Exited => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>Spawns <paramref name="file"/> and watches for its exit.</summary>
    /// <exception cref="Win32Exception">posix_spawn failed (errno in NativeErrorCode), e.g. no such executable.</exception>
    public static FastCgiProcess Start(string file, IReadOnlyList<string> args, FastCgiProcessOptions options) =>
        new(Spawn(file, args, options, count: 1)[0]);

    /// <summary>
    /// Spawns <paramref name="count"/> copies of <paramref name="file"/> and returns their PIDs
    /// without watching them: for a launcher that leaves its applications running when it exits.
    /// </summary>
    /// <exception cref="Win32Exception">posix_spawn failed (errno in NativeErrorCode).</exception>
    public static IReadOnlyList<int> Spawn(string file, IReadOnlyList<string> args, FastCgiProcessOptions options, int count)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var argv = ToNullTerminatedArray([file, .. args]);
        var envp = options.Environment is { } environment
            ? ToNullTerminatedArray([.. environment.Select(kv => $"{kv.Key}={kv.Value}")])
            : IntPtr.Zero;
        // glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128:
        // generous blocks keep this correct on other libcs too.
        var actions = Marshal.AllocHGlobal(1024);
        var attributes = Marshal.AllocHGlobal(1024);
        var signals = Marshal.AllocHGlobal(1024);
        var socket = options.ListenSocket;
        var addRef = false;
        var pids = new List<int>(count);
        try
        {
            Check(posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            Check(posix_spawnattr_init(attributes), "posix_spawnattr_init");
            try
            {
                if (socket is not null)
                {
                    socket.DangerousAddRef(ref addRef);
                    // dup2 clears FD_CLOEXEC on the copy, so the socket survives exec as fd 0.
                    Check(posix_spawn_file_actions_adddup2(actions, (int)socket.DangerousGetHandle(), 0), "posix_spawn_file_actions_adddup2");
                }
                else
                {
                    Check(posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0), "posix_spawn_file_actions_addopen");
                }

                if (options.DiscardOutput)
                {
                    Check(posix_spawn_file_actions_addopen(actions, 1, "/dev/null", O_WRONLY, 0), "posix_spawn_file_actions_addopen");
                    Check(posix_spawn_file_actions_addopen(actions, 2, "/dev/null", O_WRONLY, 0), "posix_spawn_file_actions_addopen");
                }

                CloseInheritedDescriptors(actions);
                Check(options.DefaultAllSignals ? sigfillset(signals) : sigemptyset(signals), "sigfillset/sigemptyset");
                Check(sigaddset(signals, SIGPIPE), "sigaddset");
                Check(posix_spawnattr_setsigdefault(attributes, signals), "posix_spawnattr_setsigdefault");
                Check(sigemptyset(signals), "sigemptyset");
                Check(posix_spawnattr_setsigmask(attributes, signals), "posix_spawnattr_setsigmask");
                Check(posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK), "posix_spawnattr_setflags");
                var environ = envp != IntPtr.Zero ? envp : GetEnviron();
                for (var i = 0; i < count; i++)
                {
                    var rc = options.SearchPath
                        ? posix_spawnp(out var pid, file, actions, attributes, argv, environ)
                        : posix_spawn(out pid, file, actions, attributes, argv, environ);
                    Check(rc, options.SearchPath ? "posix_spawnp" : "posix_spawn");
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
            if (addRef)
            {
                socket!.DangerousRelease();
            }

            Marshal.FreeHGlobal(actions);
            Marshal.FreeHGlobal(attributes);
            Marshal.FreeHGlobal(signals);
            FreeNullTerminatedArray(argv);
            FreeNullTerminatedArray(envp);
        }

        return pids;
    }

    /// <summary>kill(2) by PID; ignored once the child has exited (its PID may be reused).</summary>
    public void Signal(int signal)
    {
        if (!HasExited)
        {
            _ = kill(Pid, signal);
        }
    }

    private async Task WatchAsync()
    {
        while (true)
        {
            var rc = waitpid(Pid, out var status, WNOHANG);
            if (rc == Pid || rc < 0)
            {
                // Exit status: (status >> 8) & 0xff when exited; low 7 bits = terminating signal.
                var code = rc < 0 ? -1 : (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
                _exited.TrySetResult(code);
                return;
            }

            await Task.Delay(PollInterval).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The dotnet host leaves a few descriptors without close-on-exec; glibc ≥ 2.34 can close
    /// everything from 3 up in the child. Older libcs: those few stay open, as before.
    /// </summary>
    private static void CloseInheritedDescriptors(IntPtr actions)
    {
        try
        {
            _ = posix_spawn_file_actions_addclosefrom_np(actions, 3);
        }
        catch (EntryPointNotFoundException)
        {
        }
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

    private static IntPtr ToNullTerminatedArray(IReadOnlyList<string> items)
    {
        var array = Marshal.AllocHGlobal(IntPtr.Size * (items.Count + 1));
        for (var i = 0; i < items.Count; i++)
        {
            Marshal.WriteIntPtr(array, i * IntPtr.Size, Marshal.StringToCoTaskMemUTF8(items[i]));
        }

        Marshal.WriteIntPtr(array, items.Count * IntPtr.Size, IntPtr.Zero);
        return array;
    }

    private static void FreeNullTerminatedArray(IntPtr array)
    {
        if (array == IntPtr.Zero)
        {
            return;
        }

        for (var i = 0; Marshal.ReadIntPtr(array, i * IntPtr.Size) is var item && item != IntPtr.Zero; i++)
        {
            Marshal.FreeCoTaskMem(item);
        }

        Marshal.FreeHGlobal(array);
    }

#pragma warning disable SYSLIB1054, CA5392, CA2101 // classic P/Invoke keeps start-up free of source-generated stubs
    [DllImport("libc")]
    private static extern int posix_spawn(out int pid, [MarshalAs(UnmanagedType.LPUTF8Str)] string path,
        IntPtr fileActions, IntPtr attributes, IntPtr argv, IntPtr envp);

    [DllImport("libc")]
    private static extern int posix_spawnp(out int pid, [MarshalAs(UnmanagedType.LPUTF8Str)] string file,
        IntPtr fileActions, IntPtr attributes, IntPtr argv, IntPtr envp);

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
    private static extern int posix_spawn_file_actions_addclosefrom_np(IntPtr actions, int from);

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
    private static extern int sigfillset(IntPtr set);

    [DllImport("libc")]
    private static extern int sigaddset(IntPtr set, int signal);

    [DllImport("libc", SetLastError = true)]
    private static extern int waitpid(int pid, out int status, int options);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
#pragma warning restore SYSLIB1054, CA5392, CA2101
}
