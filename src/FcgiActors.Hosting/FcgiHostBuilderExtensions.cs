using FcgiActors.Responder;
using Microsoft.Extensions.Hosting;

namespace FcgiActors.Hosting;

/// <summary><see cref="IHostBuilder"/> shorthands for the <see cref="FcgiServiceCollectionExtensions"/> registrations.</summary>
public static class FcgiHostBuilderExtensions
{
    /// <summary>Adds a FastCGI responder running <paramref name="handler"/> (see <see cref="FcgiServiceCollectionExtensions.AddFcgiResponder(Microsoft.Extensions.DependencyInjection.IServiceCollection, FcgiRequestHandler, Action{FcgiResponderOptions}?)"/>).</summary>
    public static IHostBuilder UseFcgiResponder(this IHostBuilder builder, FcgiRequestHandler handler,
        Action<FcgiResponderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureServices(services => services.AddFcgiResponder(handler, configure));
    }

    /// <summary>Adds a FastCGI responder whose handler is <typeparamref name="THandler"/>, resolved per request from a DI scope.</summary>
    public static IHostBuilder UseFcgiResponder<THandler>(this IHostBuilder builder, Action<FcgiResponderOptions>? configure = null)
        where THandler : class, IFcgiHandler
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureServices(services => services.AddFcgiResponder<THandler>(configure));
    }

    /// <summary>Adds the multiplexing FastCGI proxy (see <see cref="FcgiServiceCollectionExtensions.AddFcgiProxy"/>).</summary>
    public static IHostBuilder UseFcgiProxy(this IHostBuilder builder, Action<FcgiProxyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureServices(services => services.AddFcgiProxy(configure));
    }
}
