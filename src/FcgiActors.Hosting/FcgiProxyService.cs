using System.Net;
using FcgiActors.Client;
using FcgiActors.Proxy;
using FcgiActors.Responder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Hosting;

/// <summary>
/// The hosted service <c>AddFcgiProxy</c> registers: an <see cref="FcgiProxy"/> started with the
/// host and stopped with it (stop accepting, drain within the proxy's drain timeout and the host's
/// shutdown timeout, abort the rest at the backends, stop supervised backend processes).
/// </summary>
public sealed class FcgiProxyService : IHostedService, IAsyncDisposable
{
    private readonly FcgiProxyOptions _options;
    private readonly IConfiguration? _configuration;
    private readonly ILoggerFactory? _loggerFactory;
    private FcgiProxy? _proxy;

    internal FcgiProxyService(FcgiProxyOptions options, IConfiguration? configuration, ILoggerFactory? loggerFactory)
    {
        _options = options;
        _configuration = configuration;
        _loggerFactory = loggerFactory;
    }

    /// <summary>The proxy settings in effect once started (null before).</summary>
    public ProxySettings? Settings { get; private set; }

    /// <summary>The front endpoints bound; empty before start.</summary>
    public IReadOnlyList<EndPoint> BoundEndPoints => _proxy?.BoundEndPoints ?? [];

    /// <summary>A snapshot of every backend of every pool; empty before start.</summary>
    public IReadOnlyList<ProxyBackendStatus> Backends => _proxy?.Backends ?? [];

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_proxy is not null)
        {
            throw new InvalidOperationException("The FastCGI proxy was already started.");
        }

        Settings = _options.Resolve(_configuration, ProxySettings.FromConfiguration, ProxySettings.Default);
        var front = _options.Front ?? Bind(_options.FrontConfigurationSection, ResponderSettings.FromConfiguration, ResponderSettings.Default);
        var client = _options.Client ?? Bind(_options.ClientConfigurationSection, ClientSettings.FromConfiguration, ClientSettings.Default);
        var proxy = new FcgiProxy(Settings, front, client, _loggerFactory);
        try
        {
            await proxy.StartAsync(cancellationToken);
        }
        catch
        {
            await proxy.DisposeAsync();
            throw;
        }

        _proxy = proxy;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_proxy is { } proxy)
        {
            await proxy.StopAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_proxy is { } proxy)
        {
            await proxy.DisposeAsync();
        }
    }

    private T Bind<T>(string section, Func<IConfiguration, T> bind, T defaults)
    {
        var configuration = string.IsNullOrEmpty(section) ? null : _configuration?.GetSection(section);
        return configuration is not null && configuration.Exists() ? bind(configuration) : defaults;
    }
}
