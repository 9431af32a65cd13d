using System.Net;
using System.Net.Sockets;

namespace FcgiActors.Responder.Transport;

/// <summary>Creates bound, listening sockets for each <see cref="ListenAddress"/> form.</summary>
internal static class ListenSockets
{
    public static Socket Open(ListenAddress address, ResponderSettings settings)
    {
        try
        {
            return address.Kind switch
            {
                ListenAddressKind.Unix => OpenUnix(address.Path!, settings),
                ListenAddressKind.FileDescriptor => OpenInherited(address.FileDescriptor),
                _ => OpenTcp(address, settings),
            };
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot listen on {address}: {e.Message}", e);
        }
    }

    /// <summary>
    /// True when descriptor <paramref name="fd"/> is a listening socket (§2.2: a web server that
    /// spawns the application passes it as FCGI_LISTENSOCK_FILENO): getsockopt(SO_ACCEPTCONN).
    /// </summary>
    public static bool IsListeningSocket(int fd)
    {
        try
        {
            using var handle = new SafeSocketHandle(fd, ownsHandle: false);
            using var socket = new Socket(handle);
            return socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.AcceptConnection) is int value && value != 0;
        }
        catch (Exception e) when (e is SocketException or ArgumentException or IOException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    private static Socket OpenTcp(ListenAddress address, ResponderSettings settings)
    {
        var ip = address.Address!;
        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (ip.Equals(IPAddress.IPv6Any))
            {
                // ":PORT" means every interface, IPv4 included (as ::ffff:a.b.c.d peers).
                socket.DualMode = true;
            }

            // No ReuseAddress: on Linux .NET maps it to SO_REUSEPORT too, which would let a
            // second server bind the same port silently instead of failing.
            socket.Bind(new IPEndPoint(ip, address.Port));
            socket.Listen(settings.ListenBacklog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static Socket OpenUnix(string path, ResponderSettings settings)
    {
        UnixSocketFiles.RemoveStale(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            // Before listen(2) nobody can connect, so the mode is right before anyone can use the
            // socket, whatever the umask made of it at bind (§3.2: 0660, never 0666).
            UnixSocketFiles.SetPermissions(path, settings.UnixSocketMode, settings.UnixSocketOwner, settings.UnixSocketGroup);
            socket.Listen(settings.ListenBacklog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            try { File.Delete(path); } catch (IOException) { }
            throw;
        }
    }

    private static Socket OpenInherited(int fd)
    {
        if (!IsListeningSocket(fd))
        {
            throw new IOException($"descriptor {fd} is not a listening socket (was the program started by a web server or spawn-fcgi?)");
        }

        return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
    }
}
