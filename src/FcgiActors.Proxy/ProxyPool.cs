using FcgiActors.Actors;
using FcgiActors.Client;
using FcgiActors.Proxy.Routing;
using FcgiActors.Proxy.Supervision;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Proxy;

/// <summary>
/// One pool's running parts: a client pool per backend address and, for a spawn section, the
/// supervisor of its processes. A reload that leaves the pool's settings unchanged hands the
/// same instance to the new generation, so connections and processes survive it; the pool is
/// disposed when the last generation using it lets go (<see cref="Release"/>).
/// </summary>
internal sealed class ProxyPool : IAsyncDisposable
{
    private Router? _healthTarget;
    private int _users;
    private int _disposed;

    private ProxyPool(PoolSettings settings, ClientSettings client, BackendPool[] backends, ProcessSupervisor? supervisor, int configuredCount)
    {
        Settings = settings;
        Client = client;
        Backends = backends;
        Supervisor = supervisor;
        ConfiguredCount = configuredCount;
    }

    public PoolSettings Settings { get; }

    /// <summary>The client settings its backend pools were built with (fcgi.client with the pool's values).</summary>
    public ClientSettings Client { get; }

    /// <summary>Listed backends first, then one per spawned slot.</summary>
    public BackendPool[] Backends { get; }

    public ProcessSupervisor? Supervisor { get; }

    /// <summary>How many of <see cref="Backends"/> are listed addresses (the rest are spawned slots).</summary>
    public int ConfiguredCount { get; }

    /// <summary>
    /// Builds the pool; the supervisor is created but not started (<see cref="ProxyPool.Start"/>).
    /// Health changes of spawned processes go to the router set with <see cref="RouteHealthTo"/>.
    /// </summary>
    public static ProxyPool Create(PoolSettings settings, ClientSettings client, string runDirectory, ILoggerFactory loggerFactory, ActorSystem system)
    {
        var addresses = settings.Backends.ToList();
        var configured = addresses.Count;
        ProxyPool? pool = null;
        ProcessSupervisor? supervisor = null;
        if (settings.Spawn is not null)
        {
            supervisor = new ProcessSupervisor(settings, runDirectory, loggerFactory.CreateLogger<ProcessSupervisor>(),
                (slot, up) => Volatile.Read(ref pool!._healthTarget)?.SetHealth(settings.Name, configured + slot, up), system);
            addresses.AddRange(supervisor.BackendAddresses);
        }

        var backends = addresses.Select(a => new BackendPool(BackendAddress.Parse(a), client, loggerFactory, system)).ToArray();
        pool = new ProxyPool(settings, client, backends, supervisor, configured);
        return pool;
    }

    /// <summary>Whether a pool built from these settings would be this one (same backends, spawn, connection limits and client settings).</summary>
    public bool IsSameAs(PoolSettings settings, ClientSettings client) =>
        Client == client && SameSettings(Settings, settings);

    /// <summary>Starts the supervised processes (creating their listen sockets).</summary>
    public void Start() => Supervisor?.Start();

    /// <summary>
    /// Process starts and exits are reported to <paramref name="router"/> from now on (the newest
    /// generation's); slots down right now are reported at once, since that router starts with
    /// every backend healthy.
    /// </summary>
    public void RouteHealthTo(Router router)
    {
        Volatile.Write(ref _healthTarget, router);
        if (Supervisor is { } supervisor)
        {
            var (pids, starts) = (supervisor.Pids, supervisor.Starts);
            for (var slot = 0; slot < pids.Count; slot++)
            {
                // Started before and not running now: exited, waiting for its restart. A slot
                // not started yet is left in: with fd:0 its connections wait in the backlog.
                if (starts[slot] > 0 && pids[slot] == 0)
                {
                    router.SetHealth(Settings.Name, ConfiguredCount + slot, false);
                }
            }
        }
    }

    /// <summary>Whether spawned slot <paramref name="backend"/> (an index into <see cref="Backends"/>) has no process.</summary>
    public bool IsProcessDown(int backend)
    {
        var slot = backend - ConfiguredCount;
        return slot >= 0 && Supervisor is { } supervisor && supervisor.Pids[slot] == 0;
    }

    /// <summary>A generation starts using the pool.</summary>
    public void Acquire() => Interlocked.Increment(ref _users);

    /// <summary>A generation is done with the pool; true when it was the last one (dispose it then).</summary>
    public bool Release() => Interlocked.Decrement(ref _users) == 0;

    /// <summary>Closes the backend connections (requests still running fail), then stops the processes (SIGTERM, then SIGKILL).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var backend in Backends)
        {
            await backend.DisposeAsync().ConfigureAwait(false);
        }

        if (Supervisor is { } supervisor)
        {
            await supervisor.StopAsync().ConfigureAwait(false);
        }
    }

    // Only what the client pools and the supervisor use: queue and concurrency limits belong to
    // the router, which every generation builds anew (max-concurrency also sizes the client queue,
    // so it is compared through the client settings). The records hold lists and a dictionary,
    // which record equality would compare by reference.
    private static bool SameSettings(PoolSettings a, PoolSettings b) =>
        a.Name == b.Name
        && a.Backends.SequenceEqual(b.Backends, StringComparer.Ordinal)
        && SameSpawn(a.Spawn, b.Spawn)
        && a.Multiplexing == b.Multiplexing
        && a.MaxConnectionsPerBackend == b.MaxConnectionsPerBackend
        && a.MaxRequestsPerConnection == b.MaxRequestsPerConnection;

    private static bool SameSpawn(SpawnSettings? a, SpawnSettings? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        return a.Command == b.Command
            && a.Args.SequenceEqual(b.Args, StringComparer.Ordinal)
            && a.Count == b.Count
            && a.Listen == b.Listen
            && a.Environment.Count == b.Environment.Count
            && a.Environment.All(e => b.Environment.TryGetValue(e.Key, out var v) && v == e.Value)
            && a.RestartMinBackoff == b.RestartMinBackoff
            && a.RestartMaxBackoff == b.RestartMaxBackoff
            && a.RestartResetAfter == b.RestartResetAfter
            && a.StopTimeout == b.StopTimeout
            && a.StartTimeout == b.StartTimeout;
    }
}
