using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FcgiActors.Client.Bridge;

/// <summary>
/// The bridge's one connection as a plain blocking socket descriptor (see <see cref="Libc"/>).
/// The receiving thread and the stdin thread share it: sends happen under <see cref="SendLock"/>,
/// and <see cref="Dispose"/> first shuts the socket down (waking a send blocked on an application
/// that reads no STDIN) and then closes it under the same lock, so no send ever reaches a
/// descriptor number that was closed and reused.
/// </summary>
internal sealed class BridgeSocket : IDisposable
{
    private const int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10;
    private const int SOCK_STREAM = 1, SOCK_CLOEXEC = 0x80000;
    private const int SOL_SOCKET = 1, SO_SNDTIMEO = 21;
    private const int IPPROTO_TCP = 6, TCP_NODELAY = 1;
    private const int MSG_NOSIGNAL = 0x4000;
    private const int SHUT_RDWR = 2;
    private const int UnixPathCapacity = 108; // sizeof(sun_path)

    private readonly int _fd;
    private bool _closed;

    private BridgeSocket(int fd) => _fd = fd;

    /// <summary>Held around every send, so records from two threads never interleave, and around the close.</summary>
    public Lock SendLock { get; } = new();

    /// <summary>
    /// Connects to <paramref name="address"/> with one blocking connect(2) bounded by SO_SNDTIMEO
    /// (Linux applies it to connect on TCP and Unix sockets); null with the errno cgi-fcgi would
    /// exit with when nothing accepts. A host name is resolved first and each address tried.
    /// </summary>
    public static BridgeSocket? TryConnect(BackendAddress address, TimeSpan timeout, out int errno)
    {
        ArgumentNullException.ThrowIfNull(address);
        errno = 0;
        if (address.IsUnix)
        {
            return TryConnect(UnixAddress(address.UnixPath!, out errno), timeout, ref errno);
        }

        IPAddress[] candidates;
        if (IPAddress.TryParse(address.Host, out var ip))
        {
            candidates = [ip];
        }
        else
        {
            try
            {
                candidates = Dns.GetHostAddresses(address.Host!);
            }
            catch (SocketException)
            {
                errno = 2; // ENOENT, as for any name that leads nowhere
                return null;
            }
        }

        foreach (var candidate in candidates)
        {
            var socket = TryConnect(InetAddress(candidate, address.Port), timeout, ref errno);
            if (socket is not null)
            {
                return socket;
            }
        }

        return null;
    }

    private static BridgeSocket? TryConnect(byte[]? sockaddr, TimeSpan timeout, ref int errno)
    {
        if (sockaddr is null)
        {
            return null; // errno says why the address cannot be made
        }

        var family = BinaryPrimitives.ReadUInt16LittleEndian(sockaddr);
        var fd = Libc.socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            errno = Libc.Errno;
            return null;
        }

        long[] timeval = [timeout.Ticks / TimeSpan.TicksPerSecond, timeout.Ticks % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMicrosecond];
        // Should setting it fail, the connect merely has the kernel's own limit, as cgi-fcgi's.
        _ = Libc.setsockopt_timeval(fd, SOL_SOCKET, SO_SNDTIMEO, timeval, 16);
        if (Libc.connect(fd, sockaddr, sockaddr.Length) != 0)
        {
            var error = Libc.Errno;
            _ = Libc.close(fd);
            // A connect cut short by SO_SNDTIMEO fails with EINPROGRESS (TCP) or EAGAIN (Unix).
            errno = error is Libc.EINPROGRESS or Libc.EAGAIN ? Libc.ETIMEDOUT : error;
            return null;
        }

        // Sends must not time out: an application may take its time reading STDIN.
        timeval[0] = timeval[1] = 0;
        _ = Libc.setsockopt_timeval(fd, SOL_SOCKET, SO_SNDTIMEO, timeval, 16);
        if (family != AF_UNIX)
        {
            // Whole records go out in one send each; the last, small ones must not wait for an ACK.
            var on = 1;
            _ = Libc.setsockopt_int(fd, IPPROTO_TCP, TCP_NODELAY, ref on, sizeof(int));
        }

        errno = 0;
        return new BridgeSocket(fd);
    }

    /// <summary>struct sockaddr_un; null (ENAMETOOLONG) when the path does not fit.</summary>
    private static byte[]? UnixAddress(string path, out int errno)
    {
        var length = Encoding.UTF8.GetByteCount(path);
        if (length >= UnixPathCapacity)
        {
            errno = Libc.ENAMETOOLONG;
            return null;
        }

        var sockaddr = new byte[2 + length + 1];
        BinaryPrimitives.WriteUInt16LittleEndian(sockaddr, AF_UNIX);
        Encoding.UTF8.GetBytes(path, sockaddr.AsSpan(2));
        errno = 0;
        return sockaddr;
    }

    /// <summary>struct sockaddr_in or sockaddr_in6 (port and address in network byte order).</summary>
    private static byte[] InetAddress(IPAddress ip, int port)
    {
        var v6 = ip.AddressFamily == AddressFamily.InterNetworkV6;
        var sockaddr = new byte[v6 ? 28 : 16];
        BinaryPrimitives.WriteUInt16LittleEndian(sockaddr, (ushort)(v6 ? AF_INET6 : AF_INET));
        BinaryPrimitives.WriteUInt16BigEndian(sockaddr.AsSpan(2), (ushort)port);
        if (v6)
        {
            ip.TryWriteBytes(sockaddr.AsSpan(8, 16), out _);
            BinaryPrimitives.WriteUInt32LittleEndian(sockaddr.AsSpan(24), (uint)ip.ScopeId);
        }
        else
        {
            ip.TryWriteBytes(sockaddr.AsSpan(4, 4), out _);
        }

        return sockaddr;
    }

    /// <summary>Sends all of <paramref name="bytes"/>; the caller holds <see cref="SendLock"/>. False with <paramref name="errno"/> when the connection is broken or closed.</summary>
    public bool SendAll(ReadOnlySpan<byte> bytes, out int errno)
    {
        errno = 0;
        while (!bytes.IsEmpty)
        {
            if (_closed)
            {
                return false;
            }

            var n = Libc.send(_fd, ref System.Runtime.InteropServices.MemoryMarshal.GetReference(bytes), bytes.Length, MSG_NOSIGNAL);
            if (n < 0)
            {
                errno = Libc.Errno;
                if (Libc.ShouldRetry(_fd, Libc.POLLOUT))
                {
                    continue;
                }

                return false;
            }

            bytes = bytes[(int)n..];
        }

        return true;
    }

    /// <summary>One recv(2): the bytes received, 0 at end of stream, -1 with <paramref name="errno"/> on error.</summary>
    public int Receive(Span<byte> buffer, out int errno)
    {
        while (true)
        {
            var n = Libc.recv(_fd, ref System.Runtime.InteropServices.MemoryMarshal.GetReference(buffer), buffer.Length, 0);
            if (n >= 0)
            {
                errno = 0;
                return (int)n;
            }

            errno = Libc.Errno;
            if (!Libc.ShouldRetry(_fd, Libc.POLLIN))
            {
                return -1;
            }
        }
    }

    /// <summary>Waits up to <paramref name="milliseconds"/> for something to receive (or the end of the stream).</summary>
    public bool WaitReadable(int milliseconds) => Libc.WaitFor(_fd, Libc.POLLIN, milliseconds);

    public void Dispose()
    {
        if (_closed)
        {
            return;
        }

        // shutdown(2) wakes a send blocked in the kernel; close(2) alone would not.
        _ = Libc.shutdown(_fd, SHUT_RDWR); // ENOTCONN when the peer is gone already: nothing to wake
        lock (SendLock)
        {
            _closed = true;
            _ = Libc.close(_fd);
        }
    }
}
