using FcgiActors.Hosting.Metrics;
using FcgiActors.Responder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Hosting;

public static partial class FcgiServiceCollectionExtensions
{
    /// <summary>
    /// Adds a FastCGI responder as a hosted service, running <paramref name="handler"/> for each
    /// request. Settings: <see cref="FcgiResponderOptions"/> (code, else the <c>fcgi:responder</c>
    /// section, else defaults). One responder per host; it may listen on several addresses.
    /// </summary>
    public static IServiceCollection AddFcgiResponder(this IServiceCollection services, FcgiRequestHandler handler,
        Action<FcgiResponderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(handler);
        return services.AddResponder(_ => handler, configure);
    }

    /// <summary>
    /// Adds a FastCGI responder whose handler is <typeparamref name="THandler"/>, resolved from a
    /// new DI scope for each request (registered as scoped unless registered already).
    /// </summary>
    public static IServiceCollection AddFcgiResponder<THandler>(this IServiceCollection services,
        Action<FcgiResponderOptions>? configure = null)
        where THandler : class, IFcgiHandler
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddScoped<THandler>();
        return services.AddResponder(sp =>
        {
            var scopes = sp.GetRequiredService<IServiceScopeFactory>();
            return async context =>
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(context);
            };
        }, configure);
    }

    private static IServiceCollection AddResponder(this IServiceCollection services,
        Func<IServiceProvider, FcgiRequestHandler> handlerFactory, Action<FcgiResponderOptions>? configure)
    {
        if (services.Any(d => d.ServiceType == typeof(FcgiResponderService)))
        {
            throw new InvalidOperationException(
                "AddFcgiResponder was already called: one responder per host (give it several listen addresses instead).");
        }

        var options = new FcgiResponderOptions();
        configure?.Invoke(options);
        services.AddFcgiMetrics();
        services.AddSingleton(sp => new FcgiResponderService(options, handlerFactory(sp), sp.GetService<IConfiguration>(),
            sp.GetService<ILoggerFactory>()));
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<FcgiResponderService>());
        return services;
    }
}
