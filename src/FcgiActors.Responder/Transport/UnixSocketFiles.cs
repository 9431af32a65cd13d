using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FcgiActors.Responder.Transport;

/// <summary>Unix socket files: stale-file handling, mode and ownership (§3.2).</summary>
internal static class UnixSocketFiles
{
    /// <summary>
    /// Removes a socket file nobody listens on (left by a crashed process); refuses to touch a
    /// live socket or a file that is not a socket.
    /// </summary>
    public static void RemoveStale(string path)
    {
        var type = FileType(path);
        if (type is null)
        {
            return;
        }

        if (type != SocketType)
        {
            throw new IOException($"{path} exists and is not a socket; refusing to replace it.");
        }

        using var probe = new Socket(AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            // A socket file with no listener: left by a process that died without unlinking it.
            File.Delete(path);
            return;
        }

        throw new IOException($"{path} is in use: another process listens on it.");
    }

    /// <summary>Sets the mode (whatever the umask was at bind) and, when given, owner and group.</summary>
    public static void SetPermissions(string path, int mode, string? owner, string? group)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(path, (UnixFileMode)mode);
        if (owner is null && group is null)
        {
            return;
        }

        var uid = owner is null ? -1 : ResolveId(owner, isGroup: false);
        var gid = group is null ? -1 : ResolveId(group, isGroup: true);
        if (Chown(path, uid, gid) != 0)
        {
            throw new IOException($"chown({path}, {owner ?? "-"}, {group ?? "-"}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    private const int TypeMask = 0xF000;   // S_IFMT
    private const int SocketType = 0xC000; // S_IFSOCK

    /// <summary>The S_IFMT bits of lstat(2), or null when nothing is at <paramref name="path"/>.</summary>
    private static int? FileType(string path)
    {
        // st_mode sits after st_dev, st_ino and (on x86-64) st_nlink in struct stat.
        var offset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16;
        var buffer = Marshal.AllocHGlobal(512);
        try
        {
            if (LStat(path, buffer) != 0)
            {
                return null;
            }

            return Marshal.ReadInt32(buffer, offset) & TypeMask;
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }

    private static int ResolveId(string name, bool isGroup)
    {
        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return id;
        }

        // struct passwd { char *pw_name; char *pw_passwd; uid_t pw_uid; ... } and
        // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; ... }: the id follows two pointers.
        var entry = isGroup ? GetGrNam(name) : GetPwNam(name);
        if (entry == IntPtr.Zero)
        {
            throw new IOException($"Unknown {(isGroup ? "group" : "user")} \"{name}\" for the Unix socket.");
        }

        return Marshal.ReadInt32(entry, 2 * IntPtr.Size);
    }

    [DllImport("libc", EntryPoint = "lstat", SetLastError = true)]
    private static extern int LStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr buffer);

    [DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    private static extern int Chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int owner, int group);

    [DllImport("libc", EntryPoint = "getpwnam")]
    private static extern IntPtr GetPwNam([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [DllImport("libc", EntryPoint = "getgrnam")]
    private static extern IntPtr GetGrNam([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
