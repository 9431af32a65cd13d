using FcgiActors.Client;
using FcgiActors.Proxy;
using FcgiActors.Responder;

namespace FcgiActors.Hosting;

/// <summary>
/// Options of <c>AddFcgiProxy</c>: <see cref="ProxySettings"/> from code, else the <c>fcgi:proxy</c>
/// section (HOCON <c>fcgi.proxy</c>), else defaults (which have no pool: a pool is required).
/// The front responder's limits and the backend client settings come, the same way, from
/// <see cref="Front"/> / <c>fcgi:responder</c> and <see cref="Client"/> / <c>fcgi:client</c>.
/// </summary>
public sealed class FcgiProxyOptions : FcgiSettingsSource<ProxySettings>
{
    /// <summary>Binds <c>fcgi:proxy</c> by default.</summary>
    public FcgiProxyOptions() => ConfigurationSection = "fcgi:proxy";

    /// <summary>Front responder limits, windows and timeouts (its listen addresses come from the proxy settings).</summary>
    public ResponderSettings? Front { get; set; }

    /// <summary>Section bound for <see cref="Front"/> when it is null.</summary>
    public string FrontConfigurationSection { get; set; } = "fcgi:responder";

    /// <summary>Backend client settings (per-pool values override them).</summary>
    public ClientSettings? Client { get; set; }

    /// <summary>Section bound for <see cref="Client"/> when it is null.</summary>
    public string ClientConfigurationSection { get; set; } = "fcgi:client";
}
