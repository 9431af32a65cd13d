using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FcgiActors.Hosting.AspNetCore;

/// <summary>Serves an ASP.NET Core application over FastCGI instead of Kestrel.</summary>
public static class FastCgiWebHostBuilderExtensions
{
    /// <summary>
    /// Replaces the host's server (Kestrel) with <see cref="FastCgiAspNetServer"/>:
    /// <c>builder.WebHost.UseFastCgi(o =&gt; o.Listen("127.0.0.1:9000"));</c>
    /// </summary>
    public static IWebHostBuilder UseFastCgi(this IWebHostBuilder builder, Action<FastCgiServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ConfigureServices(services =>
        {
            services.AddFcgiMetrics();
            services.RemoveAll<IServer>();
            services.AddSingleton<FastCgiAspNetServer>();
            services.AddSingleton<IServer>(sp => sp.GetRequiredService<FastCgiAspNetServer>());
            var optionsBuilder = services.AddOptions<FastCgiServerOptions>();
            if (configure is not null)
            {
                optionsBuilder.Configure(configure);
            }
        });
    }
}
