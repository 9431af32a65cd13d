using System.Diagnostics;
using FcgiActors.Actors;
using FcgiActors.Client;
using FcgiActors.Proxy.Relay;
using FcgiActors.Proxy.Routing;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Proxy;

public sealed partial class FcgiProxy
{
    private readonly SemaphoreSlim _reloadLock = new(1, 1);
    private readonly Dictionary<ProxyGeneration, Task> _retiring = [];
    private int _generations;

    /// <summary>
    /// Applies a new configuration without dropping a request or the listen sockets. The
    /// settings are validated first: when they are invalid nothing changes and the
    /// <see cref="ArgumentException"/> names the HOCON path. Then a new generation (route table,
    /// router, pools, supervised processes) is built, its spawned backends waited for, and it is
    /// swapped in at once: requests arriving after the swap use it, requests in flight finish on
    /// the old one. Pools whose settings (and client settings) did not change are carried over
    /// with their connections and processes; pools removed or changed are closed and their
    /// processes stopped (SIGTERM, then SIGKILL) once the old generation's requests end, or
    /// after fcgi.proxy.drain-timeout, when requests still using them are aborted.
    /// Not applied, as they need a restart: fcgi.proxy.listen (a warning is logged and
    /// <see cref="ProxyReloadSummary.ListenChanged"/> is set) and the front responder settings.
    /// Reloads run one at a time; a call made during another waits for it.
    /// </summary>
    /// <param name="newSettings">The complete fcgi.proxy settings to run with.</param>
    /// <param name="client">Backend client settings (fcgi.client); null keeps those in effect.</param>
    /// <param name="cancellationToken">Gives up while waiting for another reload or for spawned backends; nothing changes then.</param>
    /// <returns>What was kept, started and stopped.</returns>
    /// <exception cref="ArgumentException">The settings are invalid; the message names the HOCON path.</exception>
    /// <exception cref="TimeoutException">A spawned backend of a new pool did not come up within spawn.start-timeout; nothing changed.</exception>
    /// <exception cref="InvalidOperationException">The proxy is not running (not started, or stopped).</exception>
    public async Task<ProxyReloadSummary> ReloadAsync(ProxySettings newSettings, ClientSettings? client = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newSettings);
        var settings = ValidateForProxy(newSettings);
        await _reloadLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _stopped) != 0 || Volatile.Read(ref _current) is not { } previous || _server is null)
            {
                throw new InvalidOperationException("The proxy is not running: start it before reloading, and do not reload once stopped.");
            }

            var clientSettings = client ?? _client;
            var next = await BuildGenerationAsync(settings, clientSettings, previous, cancellationToken).ConfigureAwait(false);
            foreach (var (name, pool) in next.Pools)
            {
                if (previous.Pools.TryGetValue(name, out var old) && ReferenceEquals(old, pool))
                {
                    pool.RouteHealthTo(next.Router); // carried over: its process events go to the new router now
                }
            }

            Volatile.Write(ref _current, next);
            _client = clientSettings;
            previous.Retire();
            lock (_retiring)
            {
                _retiring[previous] = RetireAsync(previous, next, settings.DrainTimeout);
            }

            var summary = Summarize(previous, next);
            if (summary.ListenChanged)
            {
                LogListenNotApplied(_log, string.Join(", ", settings.Listen), string.Join(", ", _settings.Listen));
            }

            LogReloaded(_log, next.Number, string.Join(", ", summary.KeptPools), string.Join(", ", summary.StartedPools),
                string.Join(", ", summary.StoppedPools), summary.Routes);
            return summary;
        }
        finally
        {
            _reloadLock.Release();
        }
    }

    /// <summary>
    /// Builds a generation: pools carried over from <paramref name="previous"/> when unchanged,
    /// new ones created and started; returns once the new spawned backends accept connections.
    /// On failure everything it created is closed again and the exception propagates.
    /// </summary>
    private async Task<ProxyGeneration> BuildGenerationAsync(ProxySettings settings, ClientSettings client, ProxyGeneration? previous, CancellationToken cancellationToken)
    {
        var system = _system!;
        var number = Interlocked.Increment(ref _generations);
        // A changed pool keeps its name: its new fd:0 sockets must not replace the old ones,
        // which the old generation's connections still use while it drains.
        var runDirectory = number == 1 ? _runDirectory : Path.Combine(_runDirectory, $"g{number}");
        var pools = new Dictionary<string, ProxyPool>(StringComparer.Ordinal);
        var created = new List<ProxyPool>();
        Router? router = null;
        try
        {
            foreach (var poolSettings in settings.Pools)
            {
                var poolClient = ClientSettingsFor(client, poolSettings);
                if (previous is not null && previous.Pools.TryGetValue(poolSettings.Name, out var old) && old.IsSameAs(poolSettings, poolClient))
                {
                    pools[poolSettings.Name] = old;
                    continue;
                }

                var pool = ProxyPool.Create(poolSettings, poolClient, runDirectory, _loggerFactory, system);
                created.Add(pool);
                pools[poolSettings.Name] = pool;
            }

            var counts = pools.ToDictionary(p => p.Key, p => p.Value.Backends.Length, StringComparer.Ordinal);
            router = new Router(system, $"router-{number}", settings, counts, (pool, backend, ct) => ProbeAsync(pools, pool, backend, ct));
            foreach (var pool in created)
            {
                pool.RouteHealthTo(router);
                pool.Start();
            }

            await WaitForSpawnedBackendsAsync(created, cancellationToken).ConfigureAwait(false);
            var relay = new ProxyRelay(settings, router, pools.ToDictionary(p => p.Key, p => p.Value.Backends, StringComparer.Ordinal),
                _loggerFactory.CreateLogger<ProxyRelay>());
            foreach (var pool in pools.Values)
            {
                pool.Acquire();
            }

            return new ProxyGeneration(number, settings, pools, router, relay);
        }
        catch
        {
            if (router is not null)
            {
                system.Stop(router.Actor);
            }

            foreach (var pool in created)
            {
                await pool.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// Waits for a retired generation's requests (at most <paramref name="drainTimeout"/>), then
    /// lets go of its pools: those the new generation does not use are closed, aborting requests
    /// still on them, and their processes stopped. Its router lives until its last request has
    /// released its lease (requests on a pool carried over keep running on the same backend).
    /// </summary>
    private async Task RetireAsync(ProxyGeneration old, ProxyGeneration next, TimeSpan drainTimeout)
    {
        try
        {
            if (await Task.WhenAny(old.Drained, Task.Delay(drainTimeout)).ConfigureAwait(false) != old.Drained)
            {
                LogDrainTimeout(_log, old.Number, old.InFlight, drainTimeout.TotalSeconds);
            }

            foreach (var (name, pool) in old.Pools)
            {
                if (pool.Release())
                {
                    Debug.Assert(!next.Pools.TryGetValue(name, out var kept) || !ReferenceEquals(kept, pool), "a pool in use was released");
                    await pool.DisposeAsync().ConfigureAwait(false);
                }
            }

            await old.Drained.ConfigureAwait(false);
            _system?.Stop(old.Router.Actor);
            LogRetired(_log, old.Number);
        }
        catch (Exception e)
        {
            LogRetireFailed(_log, e, old.Number);
        }
        finally
        {
            lock (_retiring)
            {
                _retiring.Remove(old);
            }
        }
    }

    private List<ProxyGeneration> RetiringGenerations()
    {
        lock (_retiring)
        {
            return [.. _retiring.Keys];
        }
    }

    private async Task WaitForRetirementsAsync()
    {
        Task[] tasks;
        lock (_retiring)
        {
            tasks = [.. _retiring.Values];
        }

        // The front has stopped and every pool is closed: the last requests are ending.
        try
        {
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            LogRetirementsPending(_log, tasks.Count(t => !t.IsCompleted));
        }
    }

    private ProxyReloadSummary Summarize(ProxyGeneration previous, ProxyGeneration next)
    {
        var kept = new List<string>();
        var started = new List<string>();
        foreach (var (name, pool) in next.Pools)
        {
            (previous.Pools.TryGetValue(name, out var old) && ReferenceEquals(old, pool) ? kept : started).Add(name);
        }

        var stopped = previous.Pools.Where(p => !next.Pools.TryGetValue(p.Key, out var now) || !ReferenceEquals(now, p.Value))
            .Select(p => p.Key).ToList();
        var listenChanged = !next.Settings.Listen.SequenceEqual(_settings.Listen, StringComparer.Ordinal);
        return new ProxyReloadSummary(next.Number, kept, started, stopped, next.Settings.Routes.Count, listenChanged);
    }

    [LoggerMessage(22, LogLevel.Information, "fcgi proxy configuration {Generation} in effect: kept pools [{KeptPools}], started [{StartedPools}], stopping [{StoppedPools}], {RouteCount} route(s)")]
    private static partial void LogReloaded(ILogger logger, int generation, string keptPools, string startedPools, string stoppedPools, int routeCount);

    [LoggerMessage(23, LogLevel.Warning, "fcgi.proxy.listen changed to {NewListen} but stays {Listen}: listen addresses need a restart")]
    private static partial void LogListenNotApplied(ILogger logger, string newListen, string listen);

    [LoggerMessage(24, LogLevel.Warning, "Configuration {Generation}: {Requests} request(s) still in flight after the {Seconds} s drain timeout; closing the pools it no longer shares")]
    private static partial void LogDrainTimeout(ILogger logger, int generation, int requests, double seconds);

    [LoggerMessage(25, LogLevel.Debug, "Configuration {Generation} retired: its last request ended")]
    private static partial void LogRetired(ILogger logger, int generation);

    [LoggerMessage(26, LogLevel.Error, "Configuration {Generation}: retiring it failed")]
    private static partial void LogRetireFailed(ILogger logger, Exception ex, int generation);

    [LoggerMessage(27, LogLevel.Warning, "{Count} retired configuration(s) still had requests 10 s after the front stopped")]
    private static partial void LogRetirementsPending(ILogger logger, int count);
}
