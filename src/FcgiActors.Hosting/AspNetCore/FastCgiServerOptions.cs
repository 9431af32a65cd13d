using FcgiActors.Responder;

namespace FcgiActors.Hosting.AspNetCore;

/// <summary>
/// Options of <see cref="FastCgiAspNetServer"/>. Settings come from code, or from the
/// <c>fcgi:responder</c> configuration section (HOCON <c>fcgi.responder</c>), or the responder's
/// defaults. Listen addresses, first match wins: <see cref="Listen(string)"/> calls; the
/// configuration key <c>fcgi:responder:listen</c>; the host's URLs (<c>--urls</c>,
/// <c>ASPNETCORE_URLS</c>, <c>UseUrls</c>: scheme ignored, "*"/"+" = all interfaces); 127.0.0.1:9000.
/// </summary>
public sealed class FastCgiServerOptions : FcgiSettingsSource<ResponderSettings>
{
    private readonly List<ListenAddress> _listen = [];

    /// <summary>Binds <c>fcgi:responder</c> by default.</summary>
    public FastCgiServerOptions() => ConfigurationSection = "fcgi:responder";

    /// <summary>Addresses added with <see cref="Listen(string)"/>.</summary>
    public IReadOnlyList<ListenAddress> ListenAddresses => _listen;

    /// <summary>
    /// Listens on <paramref name="address"/>: "127.0.0.1:9000", "[::1]:9000", "unix:/run/app.sock",
    /// "/run/app.sock", or "fd:0" (the socket a web server or spawn-fcgi passes as descriptor 0).
    /// </summary>
    public FastCgiServerOptions Listen(string address) => Listen(ListenAddress.Parse(address));

    /// <summary>Listens on <paramref name="address"/>.</summary>
    public FastCgiServerOptions Listen(ListenAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        _listen.Add(address);
        return this;
    }
}
