namespace FcgiActors.Proxy;

/// <summary>One pool of interchangeable backends, fcgi.proxy.pools.NAME.</summary>
public sealed record PoolSettings
{
    /// <summary>The pool's name (its key under fcgi.proxy.pools).</summary>
    public string Name { get; init; } = "default";

    /// <summary>Backend addresses ("127.0.0.1:9001", "unix:/run/php.sock"); fcgi.proxy.pools.NAME.backends.</summary>
    public IReadOnlyList<string> Backends { get; init; } = [];

    /// <summary>Processes the proxy spawns and supervises; null when the backends run on their own.</summary>
    public SpawnSettings? Spawn { get; init; }

    /// <summary>Requests in flight to this pool at once, over all its backends; fcgi.proxy.pools.NAME.max-concurrency.</summary>
    public int MaxConcurrency { get; init; } = 256;

    /// <summary>Requests waiting for a slot beyond that; more are answered by the overload policy; fcgi.proxy.pools.NAME.queue-size.</summary>
    public int QueueSize { get; init; } = 1024;

    /// <summary>Longest wait in the queue before the overload answer; fcgi.proxy.pools.NAME.queue-timeout.</summary>
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Multiplexing to the backends; fcgi.proxy.pools.NAME.multiplexing.</summary>
    public MultiplexingMode Multiplexing { get; init; } = MultiplexingMode.Auto;

    /// <summary>Connections per backend; fcgi.proxy.pools.NAME.max-connections-per-backend.</summary>
    public int MaxConnectionsPerBackend { get; init; } = 64;

    /// <summary>Concurrent requests on one multiplexed connection (capped by the backend's FCGI_MAX_REQS); fcgi.proxy.pools.NAME.max-requests-per-connection.</summary>
    public int MaxRequestsPerConnection { get; init; } = 256;
}
