using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FcgiActors.Hosting.Metrics;
using FcgiActors.Protocol;
using FcgiActors.Responder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FcgiActors.Hosting.AspNetCore;

/// <summary>
/// An ASP.NET Core <see cref="IServer"/> that serves the application over FastCGI, on the
/// FcgiActors responder (<see cref="FcgiServer"/>), behind nginx, Apache, IIS, lighttpd or
/// <c>fcgi proxy</c>. Register it with <see cref="FastCgiWebHostBuilderExtensions.UseFastCgi"/>.
/// Each FastCGI request becomes one HTTP request: CGI variables map to the request features,
/// the response becomes a CGI response (<c>Status:</c> line, headers, body) on STDOUT.
/// </summary>
public sealed class FastCgiAspNetServer : IServer, IAsyncDisposable
{
    private readonly FastCgiServerOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly IConfiguration? _configuration;
    private readonly FcgiMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly ServerAddressesFeature _addresses = new();
    private FcgiServer? _server;

    /// <param name="options">Listen addresses and responder settings.</param>
    /// <param name="loggerFactory">The host's logging.</param>
    /// <param name="configuration">The host's configuration, for the <c>fcgi:responder</c> section; null: not read.</param>
    /// <param name="metrics">Instruments to record requests on (component "aspnet"); null: none.</param>
    public FastCgiAspNetServer(IOptions<FastCgiServerOptions> options, ILoggerFactory loggerFactory,
        IConfiguration? configuration = null, FcgiMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options.Value;
        _loggerFactory = loggerFactory;
        _configuration = configuration;
        _metrics = metrics;
        _logger = loggerFactory.CreateLogger<FastCgiAspNetServer>();
        Features.Set<IServerAddressesFeature>(_addresses);
    }

    /// <summary>Holds <see cref="IServerAddressesFeature"/>: the host's URLs before start, "fcgi://host:port" / "unix:/path" after.</summary>
    public IFeatureCollection Features { get; } = new FeatureCollection();

    /// <summary>The endpoints bound (real ports when port 0 was asked); empty before start.</summary>
    public IReadOnlyList<EndPoint> BoundEndPoints => _server?.BoundEndPoints ?? [];

    /// <summary>Binds the listen addresses and starts serving <paramref name="application"/>.</summary>
    /// <exception cref="IOException">An address cannot be bound; the message names it.</exception>
    public async Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        ArgumentNullException.ThrowIfNull(application);
        if (_server is not null)
        {
            throw new InvalidOperationException("The FastCGI server was already started.");
        }

        var settings = ResolveSettings();
        var processor = new FastCgiRequestProcessor<TContext>(application,
            _loggerFactory.CreateLogger("FcgiActors.Hosting.AspNetCore.FastCgiRequest"), _metrics);
        var server = new FcgiServer(settings, context => HandleAsync(processor, context), _loggerFactory);
        await server.StartAsync(cancellationToken);
        _server = server;

        _addresses.Addresses.Clear();
        foreach (var endpoint in server.BoundEndPoints)
        {
            _addresses.Addresses.Add(FormatAddress(endpoint));
        }
    }

    /// <summary>
    /// Stops accepting and drains in-flight requests until <paramref name="cancellationToken"/> fires
    /// (the host's shutdown timeout) or the responder's <c>shutdown-drain-timeout</c> passes, whichever is first.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            await server.StopAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // The host always calls StopAsync first; DisposeAsync (used by the DI container) also stops.
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            await server.DisposeAsync();
        }
    }

    private static Task HandleAsync<TContext>(FastCgiRequestProcessor<TContext> processor, FcgiRequestContext context)
        where TContext : notnull
    {
        // An HTTP application answers Responder requests, and Authorizer ones (Status 200 allows, §6.3);
        // it has no meaning for the Filter role's DATA stream.
        if (context.Role == Role.Filter)
        {
            context.ProtocolStatus = ProtocolStatus.UnknownRole;
            return Task.CompletedTask;
        }

        return processor.ProcessAsync(new ResponderExchange(context));
    }

    private ResponderSettings ResolveSettings()
    {
        var settings = _options.Resolve(_configuration, ResponderSettings.FromConfiguration, ResponderSettings.Default);
        if (_options.ListenAddresses.Count > 0)
        {
            return settings with { Listen = _options.ListenAddresses };
        }

        var configuredListen = _options.Settings is not null
            || (_configuration?.GetSection(_options.ConfigurationSection + ":listen").Exists() ?? false);
        if (!configuredListen && _addresses.Addresses.Count > 0)
        {
            var fromUrls = _addresses.Addresses.Select(ParseUrl).ToList();
            _logger.LogInformation("FastCGI server listening on the host's URLs: {Addresses}", string.Join(", ", fromUrls));
            return settings with { Listen = fromUrls };
        }

        return settings;
    }

    /// <summary>"http://+:8080/" → "*:8080"; "fcgi://127.0.0.1:9000" → "127.0.0.1:9000"; "unix:/x.sock" as is.</summary>
    internal static ListenAddress ParseUrl(string url)
    {
        var text = url.Trim();
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            text = text[(scheme + 3)..];
        }

        text = text.TrimEnd('/');
        if (text.StartsWith("unix:", StringComparison.OrdinalIgnoreCase) || text.StartsWith('/') || text.StartsWith("fd:", StringComparison.OrdinalIgnoreCase))
        {
            return ListenAddress.Parse(text);
        }

        if (text.StartsWith("+:", StringComparison.Ordinal))
        {
            text = "*" + text[1..];
        }

        return ListenAddress.Parse(text);
    }

    private static string FormatAddress(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint ip => string.Create(CultureInfo.InvariantCulture,
            $"fcgi://{(ip.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + ip.Address + "]" : ip.Address.ToString())}:{ip.Port}"),
        UnixDomainSocketEndPoint unix => "unix:" + unix,
        _ => endpoint.ToString() ?? "fcgi",
    };
}
