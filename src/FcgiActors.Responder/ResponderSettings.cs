using System.Net;
using FcgiActors.Protocol;

namespace FcgiActors.Responder;

/// <summary>
/// Immutable settings of a responder (HOCON section <c>fcgi.responder</c>, see
/// hocon/reference.conf for each key's default, unit and reason).
/// </summary>
public sealed partial record ResponderSettings
{
    /// <summary>Listens on 127.0.0.1:9000 with the defaults below.</summary>
    public static ResponderSettings Default { get; } = new();

    /// <summary>Where to listen. <c>listen</c>.</summary>
    public IReadOnlyList<ListenAddress> Listen { get; init; } = [ListenAddress.Parse("127.0.0.1:9000")];

    /// <summary>listen(2) backlog. <c>listen-backlog</c>.</summary>
    public int ListenBacklog { get; init; } = 1024;

    /// <summary>Mode of created Unix sockets, applied whatever the umask (§3.2: never 0666). <c>unix-socket-mode</c>.</summary>
    public int UnixSocketMode { get; init; } = Convert.ToInt32("660", 8);

    /// <summary>Owner (name or uid) of created Unix sockets; null keeps the process's. <c>unix-socket-owner</c>.</summary>
    public string? UnixSocketOwner { get; init; }

    /// <summary>Group (name or gid) of created Unix sockets; null keeps the process's. <c>unix-socket-group</c>.</summary>
    public string? UnixSocketGroup { get; init; }

    /// <summary>
    /// Peers allowed to connect over TCP (FCGI_WEB_SERVER_ADDRS, §3.2). Null: read the
    /// FCGI_WEB_SERVER_ADDRS environment variable at start; empty: everyone. <c>web-server-addrs</c>.
    /// </summary>
    public IReadOnlyList<IPAddress>? WebServerAddresses { get; init; }

    /// <summary>Open connections at most (reported as FCGI_MAX_CONNS). <c>max-connections</c>.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Active requests per connection (FCGI_MAX_REQS); more get OVERLOADED. <c>max-requests-per-connection</c>.</summary>
    public int MaxRequestsPerConnection { get; init; } = 100;

    /// <summary>Active requests in the whole server; more get OVERLOADED (with Status: 503). <c>max-concurrent-requests</c>.</summary>
    public int MaxConcurrentRequests { get; init; } = 4096;

    /// <summary>Serve several requests at once on one connection (FCGI_MPXS_CONNS); off: CANT_MPX_CONN. <c>multiplexing</c>.</summary>
    public bool Multiplexing { get; init; } = true;

    /// <summary>PARAMS limits: total bytes, pairs, name and value length. <c>max-params-bytes</c> etc.</summary>
    public NameValueLimits ParamsLimits { get; init; } = NameValueLimits.Default;

    /// <summary>Unread STDIN (and DATA) bytes buffered per request. <c>stdin-window</c>.</summary>
    public int StdinWindow { get; init; } = 256 * 1024;

    /// <summary>Unsent STDOUT bytes buffered per request before the handler's flush waits. <c>stdout-window</c>.</summary>
    public int StdoutWindow { get; init; } = 256 * 1024;

    /// <summary>What a full STDIN window does. <c>window-policy</c>.</summary>
    public StdinWindowPolicy WindowPolicy { get; init; } = StdinWindowPolicy.FailRequest;

    /// <summary>Time from accept to the first whole record. <c>first-record-timeout</c>.</summary>
    public TimeSpan FirstRecordTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time from BEGIN_REQUEST to the end of PARAMS. <c>params-timeout</c>.</summary>
    public TimeSpan ParamsTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A kept-alive connection with no active request is closed after this. <c>idle-timeout</c>.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Slowest accepted STDIN rate in bytes/s once the grace period is over (0: off). <c>min-body-rate</c>.</summary>
    public long MinBodyRate { get; init; } = 240;

    /// <summary>Time a body may take before <see cref="MinBodyRate"/> applies. <c>min-body-rate-grace</c>.</summary>
    public TimeSpan MinBodyRateGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>On stop, time in-flight requests get to finish before they are aborted. <c>shutdown-drain-timeout</c>.</summary>
    public TimeSpan ShutdownDrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>After shutdown(write), time spent reading what the peer still sends before closing. <c>close-drain-timeout</c>.</summary>
    public TimeSpan CloseDrainTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Bytes gathered into one socket write at most. <c>write-batch-size</c>.</summary>
    public int WriteBatchSize { get; init; } = 256 * 1024;

    /// <summary>Send "Status: 503" on STDOUT before END_REQUEST{OVERLOADED} (nginx and Apache ignore protocolStatus). <c>overload-status-503</c>.</summary>
    public bool OverloadStatus503 { get; init; } = true;

    /// <summary>Checks every value; the message names the HOCON key.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public ResponderSettings Validate()
    {
        Require(Listen.Count > 0, "listen", "at least one address is needed");
        Require(ListenBacklog > 0, "listen-backlog", "must be positive");
        Require(UnixSocketMode is >= 0 and <= 0xFFF, "unix-socket-mode", "must be an octal mode such as 0660");
        Require(MaxConnections > 0, "max-connections", "must be positive");
        Require(MaxRequestsPerConnection is > 0 and <= 65535, "max-requests-per-connection", "must be 1..65535");
        Require(MaxConcurrentRequests > 0, "max-concurrent-requests", "must be positive");
        Require(StdinWindow >= FcgiConstants.MaxContentLength, "stdin-window", $"must be at least {FcgiConstants.MaxContentLength} bytes (one record)");
        Require(StdoutWindow >= 4096, "stdout-window", "must be at least 4096 bytes");
        Require(WriteBatchSize >= FcgiConstants.MaxRecordLength, "write-batch-size", $"must be at least {FcgiConstants.MaxRecordLength} bytes");
        Require(FirstRecordTimeout > TimeSpan.Zero, "first-record-timeout", "must be positive");
        Require(ParamsTimeout > TimeSpan.Zero, "params-timeout", "must be positive");
        Require(IdleTimeout > TimeSpan.Zero, "idle-timeout", "must be positive");
        Require(MinBodyRate >= 0, "min-body-rate", "must not be negative");
        Require(ShutdownDrainTimeout >= TimeSpan.Zero, "shutdown-drain-timeout", "must not be negative");
        Require(CloseDrainTimeout >= TimeSpan.Zero, "close-drain-timeout", "must not be negative");
        return this;
    }

    private static void Require(bool condition, string key, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"fcgi.responder.{key}: {message}.");
        }
    }
}
