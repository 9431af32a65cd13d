using FcgiActors.Hosting.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FcgiActors.Hosting;

public static partial class FcgiServiceCollectionExtensions
{
    /// <summary>
    /// Registers the singleton <see cref="FcgiMetrics"/> (meter "FcgiActors") over the host's
    /// <see cref="System.Diagnostics.Metrics.IMeterFactory"/>. Called by every Add* method; safe to call again.
    /// </summary>
    public static IServiceCollection AddFcgiMetrics(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        services.TryAddSingleton(sp => new FcgiMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        return services;
    }
}
