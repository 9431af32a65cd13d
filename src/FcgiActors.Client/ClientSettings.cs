using FcgiActors.Hocon;
using FcgiActors.Protocol;
using Microsoft.Extensions.Configuration;

namespace FcgiActors.Client;

/// <summary>
/// Client-side settings for talking to FastCGI backends (HOCON section <c>fcgi.client</c>).
/// Immutable; <see cref="Validate"/> is run by <see cref="BackendPool"/>.
/// </summary>
public sealed record ClientSettings
{
    /// <summary>The defaults of hocon/reference.conf.</summary>
    public static ClientSettings Default { get; } = new();

    /// <summary>fcgi.client.connect-timeout: how long a connect may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>
    /// fcgi.client.probe-multiplexing: send FCGI_GET_VALUES on each new connection and multiplex
    /// only when the answer says FCGI_MPXS_CONNS=1. Off: one request at a time per connection.
    /// </summary>
    public bool ProbeMultiplexing { get; init; } = true;

    /// <summary>
    /// fcgi.client.assume-multiplexing: the backend is known to multiplex (our responder, Go's
    /// net/http/fcgi): each connection carries up to <see cref="MaxRequestsPerConnection"/>
    /// requests from the start, without the GET_VALUES probe. FCGI_CANT_MPX_CONN still lowers
    /// a connection to one request. Overrides <see cref="ProbeMultiplexing"/>.
    /// </summary>
    public bool AssumeMultiplexing { get; init; }

    /// <summary>
    /// fcgi.client.probe-timeout: after this long without a GET_VALUES_RESULT the connection
    /// stays at one request at a time (libfcgi answers only once more bytes arrive).
    /// </summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>fcgi.client.max-connections: open connections per backend.</summary>
    public int MaxConnectionsPerBackend { get; init; } = 16;

    /// <summary>fcgi.client.max-requests-per-connection: concurrent requests on a multiplexed connection (capped by FCGI_MAX_REQS).</summary>
    public int MaxRequestsPerConnection { get; init; } = 32;

    /// <summary>fcgi.client.max-queued-requests: requests waiting for a free connection before SendAsync fails fast.</summary>
    public int MaxQueuedRequests { get; init; } = 1024;

    /// <summary>fcgi.client.keep-conn: set FCGI_KEEP_CONN and reuse connections.</summary>
    public bool KeepConnection { get; init; } = true;

    /// <summary>fcgi.client.idle-timeout: a kept connection with no request is closed after this long.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>fcgi.client.response-buffer: bytes of STDOUT (and of STDERR) buffered per request before the connection pauses reading.</summary>
    public int ResponseBufferSize { get; init; } = 256 * 1024;

    /// <summary>fcgi.client.abort-timeout: after ABORT_REQUEST, how long to wait for END_REQUEST before closing the connection.</summary>
    public TimeSpan AbortTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>fcgi.client.reconnect-min-backoff: the wait after the first failed connect.</summary>
    public TimeSpan ReconnectMinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>fcgi.client.reconnect-max-backoff: the longest wait between connect attempts (doubling from the minimum).</summary>
    public TimeSpan ReconnectMaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="ArgumentException"/> naming the HOCON path of the first invalid value.</summary>
    public ClientSettings Validate()
    {
        Positive(ConnectTimeout, "fcgi.client.connect-timeout");
        Positive(ProbeTimeout, "fcgi.client.probe-timeout");
        Positive(AbortTimeout, "fcgi.client.abort-timeout");
        Positive(IdleTimeout, "fcgi.client.idle-timeout");
        Positive(ReconnectMinBackoff, "fcgi.client.reconnect-min-backoff");
        if (ReconnectMaxBackoff < ReconnectMinBackoff)
        {
            throw new ArgumentException("fcgi.client.reconnect-max-backoff must not be below fcgi.client.reconnect-min-backoff.");
        }

        Range(MaxConnectionsPerBackend, 1, 65535, "fcgi.client.max-connections");
        Range(MaxRequestsPerConnection, 1, 65535, "fcgi.client.max-requests-per-connection");
        Range(MaxQueuedRequests, 0, int.MaxValue, "fcgi.client.max-queued-requests");
        Range(ResponseBufferSize, FcgiConstants.MinimumPipePauseThreshold, int.MaxValue / 2, "fcgi.client.response-buffer");
        return this;
    }

    /// <summary>
    /// Binds the <c>fcgi.client</c> section with <see cref="ConfigurationReader"/> (kebab-case
    /// keys; durations like <c>5s</c>, sizes like <c>256k</c>); missing keys keep their defaults.
    /// </summary>
    /// <exception cref="ConfigurationException">A value is invalid; the message names its HOCON path.</exception>
    public static ClientSettings FromConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var d = Default;
        var settings = new ClientSettings
        {
            ConnectTimeout = section.GetDuration("connect-timeout", d.ConnectTimeout),
            ProbeMultiplexing = section.GetBool("probe-multiplexing", d.ProbeMultiplexing),
            AssumeMultiplexing = section.GetBool("assume-multiplexing", d.AssumeMultiplexing),
            ProbeTimeout = section.GetDuration("probe-timeout", d.ProbeTimeout),
            MaxConnectionsPerBackend = section.GetInt("max-connections", d.MaxConnectionsPerBackend, 1, 65535),
            MaxRequestsPerConnection = section.GetInt("max-requests-per-connection", d.MaxRequestsPerConnection, 1, 65535),
            MaxQueuedRequests = section.GetInt("max-queued-requests", d.MaxQueuedRequests, 0),
            KeepConnection = section.GetBool("keep-conn", d.KeepConnection),
            IdleTimeout = section.GetDuration("idle-timeout", d.IdleTimeout),
            ResponseBufferSize = (int)section.GetSize("response-buffer", d.ResponseBufferSize,
                FcgiConstants.MinimumPipePauseThreshold, int.MaxValue / 2),
            AbortTimeout = section.GetDuration("abort-timeout", d.AbortTimeout),
            ReconnectMinBackoff = section.GetDuration("reconnect-min-backoff", d.ReconnectMinBackoff),
            ReconnectMaxBackoff = section.GetDuration("reconnect-max-backoff", d.ReconnectMaxBackoff),
        };
        try
        {
            return settings.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new ConfigurationException(ConfigurationReader.PathOf(section, "reconnect-max-backoff"), ex.Message, ex);
        }
    }

    private static void Positive(TimeSpan value, string path)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{path} must be a positive duration; it is {value}.");
        }
    }

    private static void Range(int value, int min, int max, string path)
    {
        if (value < min || value > max)
        {
            throw new ArgumentException($"{path} must be between {min} and {max}; it is {value}.");
        }
    }
}
