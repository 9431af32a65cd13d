using FcgiActors.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Hosting;

/// <summary>Registers FcgiActors components (responder, proxy, client pools) with a .NET generic host.</summary>
public static partial class FcgiServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="BackendPool"/> for <paramref name="backend"/>
    /// ("127.0.0.1:9000", "unix:/run/app.sock"), with settings from code or from the <c>fcgi:client</c>
    /// configuration section, logging through the host's <see cref="ILoggerFactory"/>. The pool is
    /// disposed (its connections closed after their requests) when the host's service provider is
    /// disposed, which is after every hosted service that may still use it has stopped.
    /// </summary>
    /// <exception cref="FormatException"><paramref name="backend"/> is not a valid address.</exception>
    public static IServiceCollection AddFcgiClientPool(this IServiceCollection services, string backend,
        Action<FcgiClientPoolOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var (address, options) = PoolOptions(backend, configure);
        services.AddFcgiMetrics();
        services.AddSingleton(sp => CreatePool(sp, address, options));
        return services;
    }

    /// <summary>
    /// Registers a keyed singleton <see cref="BackendPool"/> named <paramref name="name"/>, resolved with
    /// <c>[FromKeyedServices("name")]</c> or <c>GetRequiredKeyedService&lt;BackendPool&gt;("name")</c>;
    /// several backends can be registered this way.
    /// </summary>
    public static IServiceCollection AddFcgiClientPool(this IServiceCollection services, string name, string backend,
        Action<FcgiClientPoolOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var (address, options) = PoolOptions(backend, configure);
        services.AddFcgiMetrics();
        services.AddKeyedSingleton(name, (sp, _) => CreatePool(sp, address, options));
        return services;
    }

    private static (BackendAddress Address, FcgiClientPoolOptions Options) PoolOptions(string backend, Action<FcgiClientPoolOptions>? configure)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);

        // Parse now: a typo in an address fails at registration, not at the first request.
        var address = BackendAddress.Parse(backend);
        var options = new FcgiClientPoolOptions();
        configure?.Invoke(options);
        return (address, options);
    }

    private static BackendPool CreatePool(IServiceProvider services, BackendAddress address, FcgiClientPoolOptions options)
    {
        var settings = options.Resolve(services.GetService<IConfiguration>(), ClientSettings.FromConfiguration, ClientSettings.Default);
        return new BackendPool(address, settings, services.GetService<ILoggerFactory>());
    }
}
