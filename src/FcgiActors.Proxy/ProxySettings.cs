namespace FcgiActors.Proxy;

/// <summary>
/// Everything `fcgi proxy` needs, immutable and validated: the fcgi.proxy section of
/// hocon/reference.conf. Build it with <see cref="FromConfiguration"/> or with `with`.
/// </summary>
public sealed partial record ProxySettings
{
    /// <summary>Listens on 127.0.0.1:9000, no pools (the CLI adds its built-in echo pool).</summary>
    public static ProxySettings Default { get; } = new();

    /// <summary>Front listen addresses ("127.0.0.1:9000", "unix:/run/fcgi.sock", "fd:0"); fcgi.proxy.listen.</summary>
    public IReadOnlyList<string> Listen { get; init; } = ["127.0.0.1:9000"];

    /// <summary>Backend pools by name; fcgi.proxy.pools.</summary>
    public IReadOnlyList<PoolSettings> Pools { get; init; } = [];

    /// <summary>Routing rules, first match wins; fcgi.proxy.routes.</summary>
    public IReadOnlyList<RouteSettings> Routes { get; init; } = [];

    /// <summary>Pool for requests no route matches; fcgi.proxy.default-pool.</summary>
    public string DefaultPool { get; init; } = "default";

    /// <summary>Answer when a pool is full; fcgi.proxy.overload.</summary>
    public OverloadPolicy Overload { get; init; } = OverloadPolicy.Default;

    /// <summary>Params whose presence makes the proxy refuse the request (403); fcgi.proxy.deny-params.</summary>
    public IReadOnlyList<string> DenyParams { get; init; } = [];

    /// <summary>Params removed before the request goes to a backend; fcgi.proxy.strip-params.</summary>
    public IReadOnlyList<string> StripParams { get; init; } = [];

    /// <summary>Backend health; fcgi.proxy.health.</summary>
    public HealthSettings Health { get; init; } = HealthSettings.Default;

    /// <summary>On shutdown, how long in-flight requests may finish before they are aborted; fcgi.proxy.drain-timeout.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts on other backends when nothing of the request reached the first; fcgi.proxy.max-retries.</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>The pool named <paramref name="name"/>, or null.</summary>
    public PoolSettings? FindPool(string name)
    {
        foreach (var pool in Pools)
        {
            if (pool.Name == name)
            {
                return pool;
            }
        }

        return null;
    }

    /// <summary>Checks cross-references and ranges; throws naming the HOCON path.</summary>
    /// <exception cref="ArgumentException">A value is out of range or refers to a missing pool.</exception>
    public ProxySettings Validate()
    {
        const string root = "fcgi.proxy";
        if (Listen.Count == 0)
        {
            throw new ArgumentException($"{root}.listen: at least one address is needed.");
        }

        Require(Health.FailureThreshold >= 1, $"{root}.health.failure-threshold", Health.FailureThreshold, "must be at least 1");
        Require(Health.ProbeInterval > TimeSpan.Zero, $"{root}.health.probe-interval", Health.ProbeInterval, "must be positive");
        Require(Health.ProbeTimeout > TimeSpan.Zero, $"{root}.health.probe-timeout", Health.ProbeTimeout, "must be positive");
        Require(DrainTimeout >= TimeSpan.Zero, $"{root}.drain-timeout", DrainTimeout, "must not be negative");
        Require(MaxRetries >= 0, $"{root}.max-retries", MaxRetries, "must not be negative");
        Require(Overload.Status is >= 100 and <= 999, $"{root}.overload.status", Overload.Status, "must be an HTTP status (100-999)");

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pool in Pools)
        {
            var path = $"{root}.pools.{pool.Name}";
            if (!names.Add(pool.Name))
            {
                throw new ArgumentException($"{path}: the pool is defined twice.");
            }

            Require(pool.MaxConcurrency >= 1, $"{path}.max-concurrency", pool.MaxConcurrency, "must be at least 1");
            Require(pool.QueueSize >= 0, $"{path}.queue-size", pool.QueueSize, "must not be negative");
            Require(pool.QueueTimeout >= TimeSpan.Zero, $"{path}.queue-timeout", pool.QueueTimeout, "must not be negative");
            Require(pool.MaxRequestsPerConnection is >= 1 and <= 65535, $"{path}.max-requests-per-connection", pool.MaxRequestsPerConnection, "must be between 1 and 65535");
            Require(pool.MaxConnectionsPerBackend >= 1, $"{path}.max-connections-per-backend", pool.MaxConnectionsPerBackend, "must be at least 1");
            if (pool.Spawn is { } spawn)
            {
                Require(spawn.Command.Length > 0, $"{path}.spawn.command", spawn.Command, "must name an executable");
                Require(spawn.Count >= 1, $"{path}.spawn.count", spawn.Count, "must be at least 1");
                Require(spawn.RestartMinBackoff > TimeSpan.Zero, $"{path}.spawn.restart-min-backoff", spawn.RestartMinBackoff, "must be positive");
                Require(spawn.RestartMaxBackoff >= spawn.RestartMinBackoff, $"{path}.spawn.restart-max-backoff", spawn.RestartMaxBackoff, "must be at least restart-min-backoff");
                Require(spawn.StopTimeout >= TimeSpan.Zero, $"{path}.spawn.stop-timeout", spawn.StopTimeout, "must not be negative");
                var listen = spawn.Listen;
                Require(listen == "fd:0" || listen.Contains("{index}", StringComparison.Ordinal) || listen.Contains("{port}", StringComparison.Ordinal) || spawn.Count == 1,
                    $"{path}.spawn.listen", listen, "must be \"fd:0\" or contain {index} or {port} when count > 1");
            }
            else if (pool.Backends.Count == 0)
            {
                throw new ArgumentException($"{path}.backends: a pool needs backend addresses or a spawn section.");
            }
        }

        for (var i = 0; i < Routes.Count; i++)
        {
            var route = Routes[i];
            Require(route.Param.Length > 0, $"{root}.routes[{i}].param", route.Param, "must name a param");
            Require(names.Contains(route.Pool), $"{root}.routes[{i}].pool", route.Pool, "names no pool under fcgi.proxy.pools");
        }

        if (Pools.Count > 0)
        {
            Require(names.Contains(DefaultPool), $"{root}.default-pool", DefaultPool, "names no pool under fcgi.proxy.pools");
        }

        return this;
    }

    private static void Require(bool condition, string path, object value, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"{path} = {value}: {rule}.");
        }
    }
}
