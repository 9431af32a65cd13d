using System.Net;
using System.Net.Sockets;
using FcgiActors.Actors;
using FcgiActors.Client;
using FcgiActors.Proxy.Routing;
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
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _log;
    private readonly string _runDirectory;
    private ClientSettings _client;
    private ActorSystem? _system;
    private FcgiServer? _server;
    private ProxyGeneration? _current;
    private int _stopped;

    /// <param name="settings">The fcgi.proxy settings (validated here).</param>
    /// <param name="front">Limits, windows and timeouts of the front responder (fcgi.responder); its listen addresses and drain timeout are taken from <paramref name="settings"/>.</param>
    /// <param name="client">Backend client settings (fcgi.client); per-pool values override them.</param>
    /// <param name="loggerFactory">Logging; none by default.</param>
    public FcgiProxy(ProxySettings settings, ResponderSettings? front = null, ClientSettings? client = null, ILoggerFactory? loggerFactory = null)
    {
        _settings = ValidateForProxy(settings ?? throw new ArgumentNullException(nameof(settings)));
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

    /// <summary>The fcgi.proxy settings in effect: those of the last successful reload, else those given at construction.</summary>
    public ProxySettings Settings => Volatile.Read(ref _current)?.Settings ?? _settings;

    /// <summary>A snapshot of every backend of every pool of the configuration in effect.</summary>
    public IReadOnlyList<ProxyBackendStatus> Backends
    {
        get
        {
            var list = new List<ProxyBackendStatus>();
            if (Volatile.Read(ref _current) is not { } generation)
            {
                return list;
            }

            foreach (var (name, pool) in generation.Pools)
            {
                var pids = pool.Supervisor?.Pids;
                var starts = pool.Supervisor?.Starts;
                for (var i = 0; i < pool.Backends.Length; i++)
                {
                    var slot = i - pool.ConfiguredCount;
                    var backend = pool.Backends[i];
                    list.Add(new ProxyBackendStatus(name, i, backend.Address.ToString(),
                        slot >= 0 && pids is not null ? pids[slot] : 0,
                        slot >= 0 && starts is not null ? starts[slot] : 0,
                        backend.OutstandingRequests, backend.OpenConnections));
                }
            }

            return list;
        }
    }

    /// <summary>Spawns supervised backends, then binds the front. Throws with the address when a bind fails.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _system = ActorSystem.Create("fcgi-proxy", _loggerFactory);
        var generation = await BuildGenerationAsync(_settings, _client, previous: null, cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _current, generation);
        _server = new FcgiServer(_front, HandleAsync, _loggerFactory, _system);
        await _server.StartAsync(cancellationToken).ConfigureAwait(false);
        LogStarted(_log, string.Join(", ", _server.BoundEndPoints), _settings.Pools.Count);
    }

    /// <summary>
    /// Stops accepting, lets in-flight requests finish within the drain timeout (the rest are
    /// aborted, with ABORT_REQUEST to their backends), then closes backend connections and
    /// stops the supervised processes (SIGTERM, then SIGKILL). A reload in progress finishes first.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        // A reload in progress completes (or fails) first; any later one sees _stopped and refuses.
        await _reloadLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        _reloadLock.Release();
        if (_server is not null)
        {
            await _server.StopAsync(cancellationToken).ConfigureAwait(false);
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        // The front handled its last request: every pool of every generation can close now,
        // including those a retiring generation still holds.
        var pools = RetiringGenerations().Append(Volatile.Read(ref _current)).OfType<ProxyGeneration>()
            .SelectMany(g => g.Pools.Values).Distinct().ToList();
        foreach (var pool in pools)
        {
            await pool.DisposeAsync().ConfigureAwait(false);
        }

        await WaitForRetirementsAsync().ConfigureAwait(false);
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

    /// <summary>
    /// The front's handler: the generation in effect relays the request. A request that read a
    /// generation a reload retired in between reads again; the new one is already published.
    /// </summary>
    private Task HandleAsync(FcgiRequestContext context)
    {
        var generation = Volatile.Read(ref _current)!;
        while (!generation.TryEnter())
        {
            generation = Volatile.Read(ref _current)!;
        }

        return generation.HandleAsync(context);
    }

    private static ProxySettings ValidateForProxy(ProxySettings settings)
    {
        settings.Validate();
        if (settings.Pools.Count == 0)
        {
            throw new ArgumentException("fcgi.proxy.pools: at least one pool is needed.", nameof(settings));
        }

        return settings;
    }

    private static ClientSettings ClientSettingsFor(ClientSettings client, PoolSettings pool) => client with
    {
        MaxConnectionsPerBackend = pool.MaxConnectionsPerBackend,
        MaxRequestsPerConnection = pool.MaxRequestsPerConnection,
        ProbeMultiplexing = pool.Multiplexing == MultiplexingMode.Auto,
        AssumeMultiplexing = pool.Multiplexing == MultiplexingMode.On,
        // The router already bounds what reaches a backend; the client queue only absorbs
        // requests waiting for a connection slot of their backend.
        MaxQueuedRequests = Math.Max(pool.MaxConcurrency, 1),
    };

    private static async Task<bool> ProbeAsync(IReadOnlyDictionary<string, ProxyPool> pools, string pool, int backend, CancellationToken cancellationToken)
    {
        var target = pools[pool];
        if (target.IsProcessDown(backend))
        {
            return false; // the process is down; its supervisor reports when it is back
        }

        return await BackendProbe.ProbeAsync(target.Backends[backend].Address, TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
    }

    private static async Task WaitForSpawnedBackendsAsync(IEnumerable<ProxyPool> pools, CancellationToken cancellationToken)
    {
        foreach (var pool in pools)
        {
            if (pool.Settings.Spawn is not { } spawn || spawn.Listen == "fd:0")
            {
                continue; // fd:0: the proxy holds the listen socket, connections wait in its backlog
            }

            var deadline = DateTime.UtcNow + spawn.StartTimeout;
            foreach (var backend in pool.Backends.Skip(pool.ConfiguredCount))
            {
                while (!await CanConnectAsync(backend.Address, cancellationToken).ConfigureAwait(false))
                {
                    if (DateTime.UtcNow > deadline)
                    {
                        throw new TimeoutException($"fcgi.proxy.pools.{pool.Settings.Name}: {backend.Address} did not accept connections within {spawn.StartTimeout.TotalSeconds:0.#} s (spawn.start-timeout).");
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
