using FcgiActors.Proxy.Configuration;
using Microsoft.Extensions.Configuration;

namespace FcgiActors.Proxy;

public sealed partial record ProxySettings
{
    /// <summary>
    /// Binds the fcgi.proxy section (pass <c>configuration.GetSection("fcgi:proxy")</c>). Every
    /// pool is bound over fcgi.proxy.pool-defaults, then over the built-in defaults.
    /// </summary>
    /// <exception cref="ArgumentException">A value is malformed or out of range; the message names its HOCON path.</exception>
    public static ProxySettings FromConfiguration(IConfiguration section)
    {
        var r = new SettingsReader(section, "fcgi.proxy");
        var d = Default;
        var overload = r.Child("overload");
        var health = r.Child("health");
        var defaults = BindPool(r.Child("pool-defaults"), new PoolSettings(), "default");

        var pools = new List<PoolSettings>();
        var poolsReader = r.Child("pools");
        foreach (var name in r.Exists("pools") ? poolsReader.ChildKeys() : [])
        {
            pools.Add(BindPool(poolsReader.Child(name), defaults, name));
        }

        var routes = r.Objects("routes")
            .Select(route => new RouteSettings(route.String("param", ""), route.String("prefix", ""), route.String("pool", "")))
            .ToList();

        return new ProxySettings
        {
            Listen = r.List("listen", d.Listen),
            Pools = pools,
            Routes = routes,
            DefaultPool = r.String("default-pool", d.DefaultPool),
            Overload = new OverloadPolicy
            {
                Status = overload.Int("status", d.Overload.Status),
                Body = overload.String("body", d.Overload.Body),
                RetryAfterSeconds = (int)overload.NonNegativeDuration("retry-after", TimeSpan.FromSeconds(d.Overload.RetryAfterSeconds)).TotalSeconds,
                ProtocolStatus = overload.Enum("protocol-status", d.Overload.ProtocolStatus),
            },
            DenyParams = r.List("deny-params", d.DenyParams),
            StripParams = r.List("strip-params", d.StripParams),
            Health = new HealthSettings
            {
                FailureThreshold = health.Int("failure-threshold", d.Health.FailureThreshold, min: 1),
                ProbeInterval = health.Duration("probe-interval", d.Health.ProbeInterval),
                ProbeTimeout = health.Duration("probe-timeout", d.Health.ProbeTimeout),
            },
            DrainTimeout = r.NonNegativeDuration("drain-timeout", d.DrainTimeout),
            MaxRetries = r.Int("max-retries", d.MaxRetries, min: 0),
        }.Validate();
    }

    private static PoolSettings BindPool(SettingsReader r, PoolSettings fallback, string name)
    {
        SpawnSettings? spawn = fallback.Spawn;
        var s = r.Child("spawn");
        if (r.Exists("spawn") && s.String("command", fallback.Spawn?.Command ?? "").Length > 0)
        {
            var f = fallback.Spawn ?? new SpawnSettings();
            spawn = new SpawnSettings
            {
                Command = s.String("command", f.Command),
                Args = s.List("args", f.Args),
                Count = s.Int("count", f.Count, min: 1),
                Listen = s.String("listen", f.Listen),
                Environment = s.Map("environment"),
                RestartMinBackoff = s.NonNegativeDuration("restart-min-backoff", f.RestartMinBackoff),
                RestartMaxBackoff = s.NonNegativeDuration("restart-max-backoff", f.RestartMaxBackoff),
                RestartResetAfter = s.NonNegativeDuration("restart-reset-after", f.RestartResetAfter),
                StopTimeout = s.NonNegativeDuration("stop-timeout", f.StopTimeout),
                StartTimeout = s.NonNegativeDuration("start-timeout", f.StartTimeout),
            };
        }

        return new PoolSettings
        {
            Name = name,
            Backends = r.List("backends", fallback.Backends),
            Spawn = spawn,
            MaxConcurrency = r.Int("max-concurrency", fallback.MaxConcurrency, min: 1),
            QueueSize = r.Int("queue-size", fallback.QueueSize, min: 0),
            QueueTimeout = r.NonNegativeDuration("queue-timeout", fallback.QueueTimeout),
            Multiplexing = r.Enum("multiplexing", fallback.Multiplexing),
            MaxConnectionsPerBackend = r.Int("max-connections-per-backend", fallback.MaxConnectionsPerBackend, min: 1),
            MaxRequestsPerConnection = r.Int("max-requests-per-connection", fallback.MaxRequestsPerConnection, min: 1),
        };
    }
}
