using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Hosting;

public static partial class FcgiServiceCollectionExtensions
{
    /// <summary>
    /// Adds the multiplexing FastCGI proxy as a hosted service (<see cref="FcgiProxyService"/>),
    /// configured by <see cref="FcgiProxyOptions"/> (code, else <c>fcgi:proxy</c> / <c>fcgi:responder</c> /
    /// <c>fcgi:client</c>, else defaults). One proxy per host.
    /// </summary>
    public static IServiceCollection AddFcgiProxy(this IServiceCollection services, Action<FcgiProxyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(FcgiProxyService)))
        {
            throw new InvalidOperationException("AddFcgiProxy was already called: one proxy per host (it may have several pools and routes).");
        }

        var options = new FcgiProxyOptions();
        configure?.Invoke(options);
        services.AddFcgiMetrics();
        services.AddSingleton(sp => new FcgiProxyService(options, sp.GetService<IConfiguration>(), sp.GetService<ILoggerFactory>()));
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<FcgiProxyService>());
        return services;
    }
}
