using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FcgiActors.Client;

/// <summary>
/// Where a FastCGI application listens: a TCP host and port, or a Unix socket path. The text
/// forms are cgi-fcgi's <c>connName</c>: <c>host:port</c>, <c>:port</c> (the local host),
/// a socket path, plus <c>unix:/path</c> and <c>[::1]:port</c>.
/// </summary>
public sealed record BackendAddress
{
    private BackendAddress(string? host, int port, string? unixPath)
    {
        Host = host;
        Port = port;
        UnixPath = unixPath;
    }

    /// <summary>The TCP host name or address; null for a Unix socket.</summary>
    public string? Host { get; }

    /// <summary>The TCP port; 0 for a Unix socket.</summary>
    public int Port { get; }

    /// <summary>The Unix socket path; null for TCP.</summary>
    public string? UnixPath { get; }

    /// <summary>True for a Unix-domain socket.</summary>
    public bool IsUnix => UnixPath is not null;

    /// <summary>A TCP address.</summary>
    public static BackendAddress Tcp(string host, int port)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        return new BackendAddress(host, port, null);
    }

    /// <summary>A Unix-domain socket address.</summary>
    public static BackendAddress Unix(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new BackendAddress(null, 0, path);
    }

    /// <summary>
    /// Parses <c>host:port</c>, <c>[v6]:port</c>, <c>:port</c> (127.0.0.1, as cgi-fcgi's
    /// "uses local host"), <c>unix:/path</c>, or a path (anything without a colon, like cgi-fcgi).
    /// </summary>
    /// <exception cref="FormatException">The text is none of these.</exception>
    public static BackendAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (TryParse(text, out var address, out var error))
        {
            return address;
        }

        throw new FormatException(error);
    }

    /// <summary>Like <see cref="Parse"/>, without throwing.</summary>
    public static bool TryParse(string text, out BackendAddress address) => TryParse(text, out address, out _);

    private static bool TryParse(string text, out BackendAddress address, out string error)
    {
        address = null!;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "A backend address is empty; expected host:port, :port or a Unix socket path.";
            return false;
        }

        if (text.StartsWith("unix:", StringComparison.Ordinal))
        {
            var path = text["unix:".Length..];
            if (path.Length == 0)
            {
                error = $"Backend address '{text}' names no socket path.";
                return false;
            }

            address = new BackendAddress(null, 0, path);
            return true;
        }

        // cgi-fcgi: a connName with a colon is host:port, anything else a socket path.
        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            address = new BackendAddress(null, 0, text);
            return true;
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            error = $"Backend address '{text}': write an IPv6 address in brackets, as [::1]:9000.";
            return false;
        }

        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            error = $"Backend address '{text}' has no valid port (1-65535).";
            return false;
        }

        address = new BackendAddress(host.Length == 0 ? "127.0.0.1" : host, port, null);
        return true;
    }

    /// <summary>The endpoint to connect a socket to.</summary>
    public EndPoint ToEndPoint() =>
        UnixPath is not null ? new UnixDomainSocketEndPoint(UnixPath)
        : IPAddress.TryParse(Host, out var ip) ? new IPEndPoint(ip, Port)
        : new DnsEndPoint(Host!, Port);

    /// <summary>The address family and protocol a socket for this address needs.</summary>
    internal (AddressFamily Family, ProtocolType Protocol) SocketKind() =>
        UnixPath is not null ? (AddressFamily.Unix, ProtocolType.Unspecified)
        : IPAddress.TryParse(Host, out var ip) ? (ip.AddressFamily, ProtocolType.Tcp)
        : (AddressFamily.Unspecified, ProtocolType.Tcp);

    /// <summary><c>host:port</c> or the socket path, as given.</summary>
    public override string ToString() =>
        UnixPath ?? (Host!.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}");
}
