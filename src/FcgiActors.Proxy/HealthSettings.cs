namespace FcgiActors.Proxy;

/// <summary>Passive health (failed connects, backend errors) and active probing back in.</summary>
public sealed record HealthSettings
{
    /// <summary>3 failures, probe every 2 s, probe timeout 1 s.</summary>
    public static HealthSettings Default { get; } = new();

    /// <summary>Consecutive failures after which a backend is taken out; fcgi.proxy.health.failure-threshold.</summary>
    public int FailureThreshold { get; init; } = 3;

    /// <summary>How often a backend taken out is probed (connect + FCGI_GET_VALUES); fcgi.proxy.health.probe-interval.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one probe may take; fcgi.proxy.health.probe-timeout.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(1);
}
