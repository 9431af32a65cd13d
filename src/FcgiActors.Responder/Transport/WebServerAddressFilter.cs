using System.Net;
using System.Net.Sockets;

namespace FcgiActors.Responder.Transport;

/// <summary>
/// FCGI_WEB_SERVER_ADDRS (§3.2): TCP peers not listed are closed before a byte is read.
/// Addresses compare in full (all 16 bytes of IPv6, scope ignored), and an IPv4-mapped IPv6
/// peer (::ffff:a.b.c.d, what a dual-mode socket reports) matches its IPv4 form both ways.
/// </summary>
internal sealed class WebServerAddressFilter
{
    private readonly byte[][] _allowed;

    public WebServerAddressFilter(IEnumerable<IPAddress> allowed) =>
        _allowed = allowed.Select(Normalize).Select(a => a.GetAddressBytes()).ToArray();

    /// <summary>Everyone may connect.</summary>
    public bool AllowsAll => _allowed.Length == 0;

    /// <summary>The list from the environment variable, or null when it is unset or empty.</summary>
    public static WebServerAddressFilter? FromEnvironment(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var addresses = new List<IPAddress>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IPAddress.TryParse(part, out var address))
            {
                throw new FormatException($"FCGI_WEB_SERVER_ADDRS: \"{part}\" is not an IP address.");
            }

            addresses.Add(address);
        }

        return new WebServerAddressFilter(addresses);
    }

    /// <summary>True when <paramref name="peer"/> may talk to us (non-IP peers such as Unix sockets always may).</summary>
    public bool Allows(EndPoint? peer)
    {
        if (_allowed.Length == 0 || peer is not IPEndPoint ip)
        {
            return true;
        }

        var bytes = Normalize(ip.Address).GetAddressBytes();
        foreach (var allowed in _allowed)
        {
            if (allowed.AsSpan().SequenceEqual(bytes))
            {
                return true;
            }
        }

        return false;
    }

    private static IPAddress Normalize(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
