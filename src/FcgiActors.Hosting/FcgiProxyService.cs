using System.ComponentModel;
using System.Net;
using System.Net.Sockets;
using FcgiActors.Client;
using FcgiActors.Hocon;
using FcgiActors.Proxy;
using FcgiActors.Responder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;

namespace FcgiActors.Hosting;

/// <summary>
/// The hosted service <c>AddFcgiProxy</c> registers: an <see cref="FcgiProxy"/> started with the
/// host and stopped with it (stop accepting, drain within the proxy's drain timeout and the host's
/// shutdown timeout, abort the rest at the backends, stop supervised backend processes).
/// When the proxy settings are bound from configuration (no <see cref="FcgiSettingsSource{TSettings}.Settings"/>
/// given in code), a configuration change (a HOCON file added with <c>reloadOnChange: true</c>,
/// <see cref="IConfigurationRoot.Reload"/>) is applied with <see cref="FcgiProxy.ReloadAsync"/>;
/// an invalid change is logged and the running configuration stays.
/// </summary>
public sealed partial class FcgiProxyService : IHostedService, IAsyncDisposable
{
    private readonly FcgiProxyOptions _options;
    private readonly IConfiguration? _configuration;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly ILogger _log;
    private readonly Lock _reloadGate = new();
    private FcgiProxy? _proxy;
    private ProxySettings? _started;
    private IDisposable? _changes;
    private Task _reloading = Task.CompletedTask;

    internal FcgiProxyService(FcgiProxyOptions options, IConfiguration? configuration, ILoggerFactory? loggerFactory)
    {
        _options = options;
        _configuration = configuration;
        _loggerFactory = loggerFactory;
        _log = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<FcgiProxyService>();
    }

    /// <summary>The proxy settings in effect once started (null before); those of the last applied reload.</summary>
    public ProxySettings? Settings => _proxy?.Settings ?? _started;

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

        _started = _options.Resolve(_configuration, ProxySettings.FromConfiguration, ProxySettings.Default);
        var front = _options.Front ?? Bind(_options.FrontConfigurationSection, ResponderSettings.FromConfiguration, ResponderSettings.Default);
        var client = ResolveClient();
        var proxy = new FcgiProxy(_started, front, client, _loggerFactory);
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
        if (_configuration is not null && _options.Settings is null)
        {
            _changes = ChangeToken.OnChange(_configuration.GetReloadToken, OnConfigurationChanged);
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await StopWatchingAsync();
        if (_proxy is { } proxy)
        {
            await proxy.StopAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopWatchingAsync();
        if (_proxy is { } proxy)
        {
            await proxy.DisposeAsync();
        }
    }

    private ClientSettings ResolveClient() =>
        _options.Client ?? Bind(_options.ClientConfigurationSection, ClientSettings.FromConfiguration, ClientSettings.Default);

    private void OnConfigurationChanged()
    {
        // One reload after another, in the order of the changes (FcgiProxy also serialises them).
        lock (_reloadGate)
        {
            _reloading = _reloading.ContinueWith(_ => ReloadFromConfigurationAsync(), CancellationToken.None,
                TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }
    }

    private async Task ReloadFromConfigurationAsync()
    {
        if (_proxy is not { } proxy)
        {
            return;
        }

        try
        {
            var settings = _options.Resolve(_configuration, ProxySettings.FromConfiguration, ProxySettings.Default);
            var summary = await proxy.ReloadAsync(settings, ResolveClient());
            LogReloaded(_log, summary.Generation, string.Join(", ", settings.Pools.Select(p => p.Name)), summary.Routes);
        }
        catch (InvalidOperationException) when (Volatile.Read(ref _changes) is null)
        {
            // The host is stopping: the proxy refuses reloads from now on.
        }
        catch (Exception e) when (e is ArgumentException or FormatException or ConfigurationException or HoconException
            or TimeoutException or IOException or SocketException or Win32Exception)
        {
            // The message names the HOCON path (binders, ReloadAsync) or the pool that failed to spawn.
            LogReloadFailed(_log, null, e.Message);
        }
        catch (Exception e)
        {
            // Runs on a change-token callback: nobody above to rethrow to, and the next change must still apply.
            LogReloadFailed(_log, e, e.Message);
        }
    }

    private async Task StopWatchingAsync()
    {
        Interlocked.Exchange(ref _changes, null)?.Dispose();
        Task reloading;
        lock (_reloadGate)
        {
            reloading = _reloading;
        }

        await reloading;
    }

    private T Bind<T>(string section, Func<IConfiguration, T> bind, T defaults)
    {
        var configuration = string.IsNullOrEmpty(section) ? null : _configuration?.GetSection(section);
        return configuration is not null && configuration.Exists() ? bind(configuration) : defaults;
    }

    [LoggerMessage(1, LogLevel.Information, "fcgi proxy configuration {Generation} applied from configuration: pools [{Pools}], {RouteCount} route(s)")]
    private static partial void LogReloaded(ILogger logger, int generation, string pools, int routeCount);

    [LoggerMessage(2, LogLevel.Error, "fcgi proxy configuration change not applied, keeping the running configuration: {Error}")]
    private static partial void LogReloadFailed(ILogger logger, Exception? ex, string error);
}
