using System.Runtime.InteropServices;

namespace FcgiActors.Client.Bridge;

/// <summary>
/// The few system calls the bridge makes itself: plain blocking read/write/writev on fds 0-2,
/// socket/connect/send/recv/poll on its one connection, and access/close for -start. Going
/// straight to libc keeps System.Net.Sockets, its telemetry EventSource and its epoll thread
/// out of a process that lives for one request, and gives the errno values cgi-fcgi exits with.
/// </summary>
internal static class Libc
{
    public const int EINTR = 4;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int ENAMETOOLONG = 36;
    public const int EINPROGRESS = 115;
    public const int ETIMEDOUT = 110;
    public const short POLLIN = 0x1;
    public const short POLLOUT = 0x4;

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>The errno of the last call made here.</summary>
    public static int Errno => Marshal.GetLastPInvokeError();

    /// <summary>strerror(3) text, as cgi-fcgi-era tools print it.</summary>
    public static string Message(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>
    /// After a failed read, write, send or recv on <paramref name="fd"/>: true when the call should
    /// simply be made again — EINTR, or EAGAIN (a descriptor left non-blocking by someone else,
    /// a socket with a timeout) once <paramref name="fd"/> is ready for <paramref name="events"/>.
    /// </summary>
    public static bool ShouldRetry(int fd, short events)
    {
        var errno = Errno;
        return errno == EINTR || (errno == EAGAIN && WaitFor(fd, events, -1));
    }

    /// <summary>Waits until <paramref name="fd"/> is ready for <paramref name="events"/>; false on timeout (ms, -1 = none).</summary>
    public static bool WaitFor(int fd, short events, int timeoutMilliseconds)
    {
        var entry = new PollFd { Fd = fd, Events = events };
        while (true)
        {
            var n = poll(ref entry, 1, timeoutMilliseconds);
            if (n >= 0)
            {
                return n > 0;
            }

            if (Errno != EINTR)
            {
                return true; // let the following read or write report the error
            }
        }
    }

#pragma warning disable SYSLIB1054, CA5392, CA2101, IDE1006 // classic P/Invoke: the Client assembly has no unsafe code for source-generated stubs
    [DllImport("libc", SetLastError = true)]
    public static extern nint read(int fd, ref byte buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    public static extern nint write(int fd, ref byte buffer, nint count);

    /// <summary><paramref name="iov"/> holds (base, length) pairs of struct iovec.</summary>
    [DllImport("libc", SetLastError = true)]
    public static extern nint writev(int fd, nint[] iov, int count);

    /// <summary><paramref name="iov"/> holds (base, length) pairs of struct iovec.</summary>
    [DllImport("libc", SetLastError = true)]
    public static extern nint readv(int fd, nint[] iov, int count);

    [DllImport("libc", SetLastError = true)]
    public static extern int socket(int domain, int type, int protocol);

    [DllImport("libc", SetLastError = true)]
    public static extern int connect(int fd, byte[] address, int length);

    [DllImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static extern int setsockopt_int(int fd, int level, int name, ref int value, int length);

    /// <summary>For struct timeval options: <paramref name="timeval"/> is { tv_sec, tv_usec }.</summary>
    [DllImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static extern int setsockopt_timeval(int fd, int level, int name, long[] timeval, int length);

    [DllImport("libc", SetLastError = true)]
    public static extern nint send(int fd, ref byte buffer, nint count, int flags);

    [DllImport("libc", SetLastError = true)]
    public static extern nint recv(int fd, ref byte buffer, nint count, int flags);

    [DllImport("libc", SetLastError = true)]
    public static extern int poll(ref PollFd fds, nuint count, int timeout);

    [DllImport("libc", SetLastError = true)]
    public static extern int shutdown(int fd, int how);

    [DllImport("libc", SetLastError = true)]
    public static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    public static extern int access([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);
#pragma warning restore SYSLIB1054, CA5392, CA2101, IDE1006
}
