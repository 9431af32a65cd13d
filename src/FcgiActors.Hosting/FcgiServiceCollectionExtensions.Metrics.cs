using FcgiActors.Hosting.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FcgiActors.Hosting;

public static partial class FcgiServiceCollectionExtensions
{
    /// <summary>
    /// Registers the singleton <see cref="FcgiMetrics"/>, the view over the process-wide meter
    /// "FcgiActors" (<see cref="FcgiActors.Diagnostics.FcgiInstruments"/>), and the host's metrics
    /// services. Called by every Add* method; safe to call again.
    /// </summary>
    public static IServiceCollection AddFcgiMetrics(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        services.TryAddSingleton<FcgiMetrics>();
        return services;
    }
}
