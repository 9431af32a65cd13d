using System.Net;
using System.Net.Sockets;
using FcgiActors.Actors;
using FcgiActors.Client;
using FcgiActors.Proxy.Relay;
using FcgiActors.Proxy.Routing;
using FcgiActors.Proxy.Supervision;
using FcgiActors.Responder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FcgiActors.Proxy;

/// <summary>
/// The multiplexing proxy: a FastCGI responder in front (one request-ID space per front
/// connection, as nginx and Apache need), a router with per-pool caps and queues, client
/// pools to the backends (multiplexed where they allow it), and supervised backend processes.
/// </summary>
public sealed partial class FcgiProxy : IAsyncDisposable
{
    private readonly ProxySettings _settings;
    private readonly ResponderSettings _front;
    private readonly ClientSettings _client;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _log;
    private readonly Dictionary<string, BackendPool[]> _backends = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProcessSupervisor> _supervisors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _configuredCounts = new(StringComparer.Ordinal);
    private readonly string _runDirectory;
    private ActorSystem? _system;
    private FcgiServer? _server;
    private int _stopped;

    /// <param name="settings">The fcgi.proxy settings (validated here).</param>
    /// <param name="front">Limits, windows and timeouts of the front responder (fcgi.responder); its listen addresses and drain timeout are taken from <paramref name="settings"/>.</param>
    /// <param name="client">Backend client settings (fcgi.client); per-pool values override them.</param>
    /// <param name="loggerFactory">Logging; none by default.</param>
    public FcgiProxy(ProxySettings settings, ResponderSettings? front = null, ClientSettings? client = null, ILoggerFactory? loggerFactory = null)
    {
        _settings = (settings ?? throw new ArgumentNullException(nameof(settings))).Validate();
        if (_settings.Pools.Count == 0)
        {
            throw new ArgumentException("fcgi.proxy.pools: at least one pool is needed.", nameof(settings));
        }

        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _log = _loggerFactory.CreateLogger<FcgiProxy>();
        _front = (front ?? ResponderSettings.Default) with
        {
            Listen = _settings.Listen.Select(ListenAddress.Parse).ToList(),
            ShutdownDrainTimeout = _settings.DrainTimeout,
        };
        _client = client ?? ClientSettings.Default;
        _runDirectory = Path.Combine(Path.GetTempPath(), $"fcgi-proxy-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}");
    }

    /// <summary>The front's bound endpoints (actual ports when 0 was asked).</summary>
    public IReadOnlyList<EndPoint> BoundEndPoints => _server?.BoundEndPoints ?? [];

    /// <summary>A snapshot of every backend of every pool.</summary>
    public IReadOnlyList<ProxyBackendStatus> Backends
    {
        get
        {
            var list = new List<ProxyBackendStatus>();
            foreach (var (pool, backends) in _backends)
            {
                _supervisors.TryGetValue(pool, out var supervisor);
                var configured = _configuredCounts[pool];
                for (var i = 0; i < backends.Length; i++)
                {
                    var slot = i - configured;
                    list.Add(new ProxyBackendStatus(pool, i, backends[i].Address.ToString(),
                        slot >= 0 && supervisor is not null ? supervisor.Pids[slot] : 0,
                        slot >= 0 && supervisor is not null ? supervisor.Starts[slot] : 0,
                        backends[i].OutstandingRequests, backends[i].OpenConnections));
                }
            }

            return list;
        }
    }

    /// <summary>Spawns supervised backends, then binds the front. Throws with the address when a bind fails.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _system = ActorSystem.Create("fcgi-proxy", _loggerFactory);
        Router? router = null;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pool in _settings.Pools)
        {
            var addresses = pool.Backends.ToList();
            _configuredCounts[pool.Name] = addresses.Count;
            if (pool.Spawn is not null)
            {
                var offset = addresses.Count;
                var name = pool.Name;
                var supervisor = new ProcessSupervisor(pool, _runDirectory, _loggerFactory.CreateLogger<ProcessSupervisor>(),
                    (slot, up) => router?.SetHealth(name, offset + slot, up), _system);
                _supervisors[pool.Name] = supervisor;
                addresses.AddRange(supervisor.BackendAddresses);
            }

            var client = ClientSettingsFor(pool);
            _backends[pool.Name] = addresses.Select(a => new BackendPool(BackendAddress.Parse(a), client, _loggerFactory, _system)).ToArray();
            counts[pool.Name] = addresses.Count;
        }

        router = new Router(_system.ActorOf(Props.Create(() => new RouterActor(_settings, counts, ProbeAsync)), "router"));
        foreach (var supervisor in _supervisors.Values)
        {
            supervisor.Start();
        }

        await WaitForSpawnedBackendsAsync(cancellationToken).ConfigureAwait(false);
        var relay = new ProxyRelay(_settings, router, _backends, _loggerFactory.CreateLogger<ProxyRelay>());
        _server = new FcgiServer(_front, relay.HandleAsync, _loggerFactory, _system);
        await _server.StartAsync(cancellationToken).ConfigureAwait(false);
        LogStarted(_log, string.Join(", ", _server.BoundEndPoints), _settings.Pools.Count);
    }

    /// <summary>
    /// Stops accepting, lets in-flight requests finish within the drain timeout (the rest are
    /// aborted, with ABORT_REQUEST to their backends), then closes backend connections and
    /// stops the supervised processes (SIGTERM, then SIGKILL).
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        if (_server is not null)
        {
            await _server.StopAsync(cancellationToken).ConfigureAwait(false);
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var pool in _backends.Values.SelectMany(b => b))
        {
            await pool.DisposeAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_supervisors.Values.Select(s => s.StopAsync())).ConfigureAwait(false);
        if (_system is not null)
        {
            await _system.TerminateAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }

        try
        {
            Directory.Delete(_runDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }

        LogStopped(_log);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private ClientSettings ClientSettingsFor(PoolSettings pool) => _client with
    {
        MaxConnectionsPerBackend = pool.MaxConnectionsPerBackend,
        MaxRequestsPerConnection = pool.MaxRequestsPerConnection,
        ProbeMultiplexing = pool.Multiplexing == MultiplexingMode.Auto,
        AssumeMultiplexing = pool.Multiplexing == MultiplexingMode.On,
        // The router already bounds what reaches a backend; the client queue only absorbs
        // requests waiting for a connection slot of their backend.
        MaxQueuedRequests = Math.Max(pool.MaxConcurrency, 1),
    };

    private async Task<bool> ProbeAsync(string pool, int backend, CancellationToken cancellationToken)
    {
        var slot = backend - _configuredCounts[pool];
        if (slot >= 0 && _supervisors.TryGetValue(pool, out var supervisor) && supervisor.Pids[slot] == 0)
        {
            return false; // the process is down; its supervisor reports when it is back
        }

        return await BackendProbe.ProbeAsync(_backends[pool][backend].Address, TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
    }

    private async Task WaitForSpawnedBackendsAsync(CancellationToken cancellationToken)
    {
        foreach (var pool in _settings.Pools)
        {
            if (pool.Spawn is not { } spawn || spawn.Listen == "fd:0")
            {
                continue; // fd:0: the proxy holds the listen socket, connections wait in its backlog
            }

            var deadline = DateTime.UtcNow + spawn.StartTimeout;
            foreach (var backend in _backends[pool.Name].Skip(_configuredCounts[pool.Name]))
            {
                while (!await CanConnectAsync(backend.Address, cancellationToken).ConfigureAwait(false))
                {
                    if (DateTime.UtcNow > deadline)
                    {
                        throw new TimeoutException($"fcgi.proxy.pools.{pool.Name}: {backend.Address} did not accept connections within {spawn.StartTimeout.TotalSeconds:0.#} s (spawn.start-timeout).");
                    }

                    await Task.Delay(20, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task<bool> CanConnectAsync(BackendAddress address, CancellationToken cancellationToken)
    {
        var endPoint = address.ToEndPoint();
        using var socket = address.IsUnix
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [LoggerMessage(20, LogLevel.Information, "fcgi proxy listening on {Endpoint} with {PoolCount} pool(s)")]
    private static partial void LogStarted(ILogger logger, string endpoint, int poolCount);

    [LoggerMessage(21, LogLevel.Information, "fcgi proxy stopped")]
    private static partial void LogStopped(ILogger logger);
}
