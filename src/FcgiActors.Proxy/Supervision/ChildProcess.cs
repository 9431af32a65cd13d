using System.ComponentModel;
using System.Runtime.InteropServices;

namespace FcgiActors.Proxy.Supervision;

/// <summary>
/// A child process started with posix_spawn(3), so that a listen socket can be handed to it as
/// fd 0 (FCGI_LISTENSOCK_FILENO, §2.2) — System.Diagnostics.Process cannot pass a socket.
/// Signal dispositions are reset to default in the child (the .NET runtime ignores SIGPIPE,
/// and ignored signals survive exec). Exit is observed with waitpid(WNOHANG): the runtime only
/// reaps the children it started itself.
/// </summary>
internal sealed class ChildProcess
{
    private const int WNOHANG = 1;
    private const int POSIX_SPAWN_SETSIGDEF = 0x04;
    private const int POSIX_SPAWN_SETSIGMASK = 0x08;
    private const int O_RDONLY = 0;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(int pid)
    {
        Pid = pid;
        _ = WatchAsync();
    }

    public int Pid { get; }

    /// <summary>Completes with the exit code (128 + signal number when killed by a signal).</summary>
    public Task<int> Exited => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>
    /// Starts <paramref name="file"/> (searched on PATH when it has no slash) with
    /// <paramref name="listenSocket"/> as fd 0, or /dev/null as fd 0 when it is null.
    /// </summary>
    /// <exception cref="Win32Exception">posix_spawn failed (e.g. no such executable).</exception>
    public static ChildProcess Start(string file, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, SafeHandle? listenSocket)
    {
        var argv = new List<string> { file };
        argv.AddRange(args);
        var envp = environment.Select(kv => $"{kv.Key}={kv.Value}").ToList();

        // glibc: posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128; leave room.
        var actions = Marshal.AllocHGlobal(512);
        var attr = Marshal.AllocHGlobal(1024);
        var sigset = Marshal.AllocHGlobal(256);
        var argvPtr = ToNullTerminatedArray(argv);
        var envpPtr = ToNullTerminatedArray(envp);
        var addRef = false;
        try
        {
            Check(posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            Check(posix_spawnattr_init(attr), "posix_spawnattr_init");
            if (listenSocket is not null)
            {
                listenSocket.DangerousAddRef(ref addRef);
                // dup2 clears FD_CLOEXEC on the copy, so the socket survives exec as fd 0.
                Check(posix_spawn_file_actions_adddup2(actions, (int)listenSocket.DangerousGetHandle(), 0), "posix_spawn_file_actions_adddup2");
            }
            else
            {
                Check(posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0), "posix_spawn_file_actions_addopen");
            }

            Check(sigfillset(sigset), "sigfillset");
            Check(posix_spawnattr_setsigdefault(attr, sigset), "posix_spawnattr_setsigdefault");
            Check(sigemptyset(sigset), "sigemptyset");
            Check(posix_spawnattr_setsigmask(attr, sigset), "posix_spawnattr_setsigmask");
            Check(posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK), "posix_spawnattr_setflags");

            var rc = posix_spawnp(out var pid, file, actions, attr, argvPtr, envpPtr);
            if (rc != 0)
            {
                throw new Win32Exception(rc, $"Cannot start {file}: {new Win32Exception(rc).Message}");
            }

            return new ChildProcess(pid);
        }
        finally
        {
            if (addRef)
            {
                listenSocket!.DangerousRelease();
            }

            _ = posix_spawn_file_actions_destroy(actions);
            _ = posix_spawnattr_destroy(attr);
            Marshal.FreeHGlobal(actions);
            Marshal.FreeHGlobal(attr);
            Marshal.FreeHGlobal(sigset);
            FreeNullTerminatedArray(argvPtr, argv.Count);
            FreeNullTerminatedArray(envpPtr, envp.Count);
        }
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

    private static void Check(int rc, string call)
    {
        if (rc != 0)
        {
            throw new Win32Exception(rc, $"{call} failed");
        }
    }

    private static IntPtr ToNullTerminatedArray(List<string> items)
    {
        var array = Marshal.AllocHGlobal(IntPtr.Size * (items.Count + 1));
        for (var i = 0; i < items.Count; i++)
        {
            Marshal.WriteIntPtr(array, i * IntPtr.Size, Marshal.StringToCoTaskMemUTF8(items[i]));
        }

        Marshal.WriteIntPtr(array, items.Count * IntPtr.Size, IntPtr.Zero);
        return array;
    }

    private static void FreeNullTerminatedArray(IntPtr array, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Marshal.FreeCoTaskMem(Marshal.ReadIntPtr(array, i * IntPtr.Size));
        }

        Marshal.FreeHGlobal(array);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int posix_spawnp(out int pid, [MarshalAs(UnmanagedType.LPUTF8Str)] string file, IntPtr fileActions, IntPtr attr, IntPtr argv, IntPtr envp);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_init(IntPtr actions);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_destroy(IntPtr actions);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_adddup2(IntPtr actions, int fd, int newFd);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_addopen(IntPtr actions, int fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport("libc")]
    private static extern int posix_spawnattr_init(IntPtr attr);

    [DllImport("libc")]
    private static extern int posix_spawnattr_destroy(IntPtr attr);

    [DllImport("libc")]
    private static extern int posix_spawnattr_setflags(IntPtr attr, short flags);

    [DllImport("libc")]
    private static extern int posix_spawnattr_setsigdefault(IntPtr attr, IntPtr sigset);

    [DllImport("libc")]
    private static extern int posix_spawnattr_setsigmask(IntPtr attr, IntPtr sigset);

    [DllImport("libc")]
    private static extern int sigfillset(IntPtr set);

    [DllImport("libc")]
    private static extern int sigemptyset(IntPtr set);

    [DllImport("libc", SetLastError = true)]
    private static extern int waitpid(int pid, out int status, int options);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
