using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FcgiActors.Responder;

/// <summary>
/// Where a responder listens: <c>127.0.0.1:9000</c>, <c>[::1]:9000</c>, <c>:9000</c> (every
/// interface, IPv6 and IPv4), <c>unix:/path/app.sock</c> or <c>/path/app.sock</c>, <c>fd:0</c>.
/// </summary>
public sealed record ListenAddress
{
    private ListenAddress(ListenAddressKind kind, IPAddress? address, int port, string? path, int fileDescriptor)
    {
        Kind = kind;
        Address = address;
        Port = port;
        Path = path;
        FileDescriptor = fileDescriptor;
    }

    /// <summary>TCP, Unix socket or inherited descriptor.</summary>
    public ListenAddressKind Kind { get; }

    /// <summary>The IP address for <see cref="ListenAddressKind.Tcp"/>; <see cref="IPAddress.IPv6Any"/> for <c>:PORT</c>.</summary>
    public IPAddress? Address { get; }

    /// <summary>The TCP port (0 = any free port).</summary>
    public int Port { get; }

    /// <summary>The socket path for <see cref="ListenAddressKind.Unix"/>.</summary>
    public string? Path { get; }

    /// <summary>The descriptor for <see cref="ListenAddressKind.FileDescriptor"/>.</summary>
    public int FileDescriptor { get; }

    /// <summary>The listening socket inherited on fd 0 (§2.2 FCGI_LISTENSOCK_FILENO).</summary>
    public static ListenAddress InheritedSocket { get; } = new(ListenAddressKind.FileDescriptor, null, 0, null, 0);

    /// <summary>A TCP address.</summary>
    public static ListenAddress Tcp(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        return new ListenAddress(ListenAddressKind.Tcp, address, port, null, -1);
    }

    /// <summary>A Unix domain socket at an absolute path.</summary>
    public static ListenAddress Unix(string path)
    {
        if (string.IsNullOrEmpty(path) || !System.IO.Path.IsPathRooted(path))
        {
            throw new FormatException($"Unix socket path \"{path}\" must be absolute.");
        }

        return new ListenAddress(ListenAddressKind.Unix, null, 0, path, -1);
    }

    /// <summary>Parses the forms listed on the type.</summary>
    /// <exception cref="FormatException">The text is none of them.</exception>
    public static ListenAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        if (t.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            return Unix(t[5..]);
        }

        if (t.StartsWith('/'))
        {
            return Unix(t);
        }

        if (t.StartsWith("fd:", StringComparison.OrdinalIgnoreCase))
        {
            if (!int.TryParse(t[3..], NumberStyles.None, CultureInfo.InvariantCulture, out var fd))
            {
                throw new FormatException($"\"{text}\" is not a listen address: fd:N needs a descriptor number.");
            }

            return new ListenAddress(ListenAddressKind.FileDescriptor, null, 0, null, fd);
        }

        var colon = t.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(t[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new FormatException($"\"{text}\" is not a listen address (HOST:PORT, [IPv6]:PORT, :PORT, unix:/path, /path or fd:N).");
        }

        var host = t[..colon];
        if (host.Length == 0 || host == "*")
        {
            return Tcp(IPAddress.IPv6Any, port);
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return Tcp(IPAddress.Loopback, port);
        }

        if (!IPAddress.TryParse(host, out var address) || (address.AddressFamily == AddressFamily.InterNetworkV6 && !t.StartsWith('[')))
        {
            throw new FormatException($"\"{text}\" is not a listen address: \"{host}\" is not an IP address (IPv6 goes in brackets).");
        }

        return Tcp(address, port);
    }

    /// <summary>The form <see cref="Parse"/> reads back.</summary>
    public override string ToString() => Kind switch
    {
        ListenAddressKind.Unix => "unix:" + Path,
        ListenAddressKind.FileDescriptor => "fd:" + FileDescriptor.ToString(CultureInfo.InvariantCulture),
        _ => Address!.AddressFamily == AddressFamily.InterNetworkV6
            ? (Address.Equals(IPAddress.IPv6Any) ? "" : "[" + Address + "]") + ":" + Port.ToString(CultureInfo.InvariantCulture)
            : Address + ":" + Port.ToString(CultureInfo.InvariantCulture),
    };
}
