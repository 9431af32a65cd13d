using System.Diagnostics.Metrics;
using FcgiActors.Protocol;

namespace FcgiActors.Diagnostics;

/// <summary>
/// The process-wide FcgiActors instruments, on the meter named <see cref="MeterName"/>
/// ("FcgiActors"): <c>dotnet-counters monitor --counters FcgiActors -p PID</c>, or any
/// OpenTelemetry metrics exporter subscribed to that meter. The responder, client and proxy
/// libraries record through the helpers below, one call per event.
/// </summary>
/// <remarks>
/// Static rather than resolved from an <see cref="IMeterFactory"/>: the libraries are used without
/// dependency injection (the CLI, libfcgi-style programs), and every one of them references this
/// assembly. Cost when nothing listens: one <see cref="Instrument.Enabled"/> read per event. When
/// something listens: no allocation, the tag sets are cached arrays.
/// </remarks>
public static partial class FcgiInstruments
{
    /// <summary>The meter name, as passed to <c>dotnet-counters --counters</c>.</summary>
    public const string MeterName = "FcgiActors";

    /// <summary>Tag naming the component that measured: responder, client, proxy, aspnet.</summary>
    public const string ComponentTag = "component";

    /// <summary>Tag of <c>fcgi.requests</c>: completed, aborted, overloaded, unknown-role, cant-mpx, error.</summary>
    public const string OutcomeTag = "outcome";

    /// <summary>Tag of <c>fcgi.backend.errors</c>: connect, connection-lost, not-reached, response.</summary>
    public const string ErrorTypeTag = "error.type";

    /// <summary>The meter every instrument lives on.</summary>
    public static Meter Meter { get; } = new(MeterName, typeof(FcgiInstruments).Assembly.GetName().Version?.ToString(3));

    /// <summary><c>fcgi.connections.active</c>: +1 when a connection opens (accepted or connected), -1 when it closes.</summary>
    public static UpDownCounter<long> ActiveConnections { get; } = Meter.CreateUpDownCounter<long>("fcgi.connections.active", "{connection}",
        "FastCGI connections open: accepted from web servers (responder) or held to backends (client).");

    /// <summary><c>fcgi.requests.active</c>: +1 at BEGIN_REQUEST, -1 once its END_REQUEST is written (or the connection is gone).</summary>
    public static UpDownCounter<long> ActiveRequests { get; } = Meter.CreateUpDownCounter<long>("fcgi.requests.active", "{request}",
        "FastCGI requests between BEGIN_REQUEST and END_REQUEST.");

    /// <summary><c>fcgi.requests</c>: +1 per ended request, tagged <see cref="OutcomeTag"/>.</summary>
    public static Counter<long> Requests { get; } = Meter.CreateCounter<long>("fcgi.requests", "{request}",
        "FastCGI requests ended, by outcome.");

    /// <summary><c>fcgi.request.duration</c>: seconds from the start of the application's work to its end (ASP.NET Core).</summary>
    public static Histogram<double> RequestDuration { get; } = Meter.CreateHistogram<double>("fcgi.request.duration", "s",
        "Time the application took for a request, by outcome.");

    /// <summary><c>fcgi.bytes.received</c>: bytes read from sockets (whole records), counted per read.</summary>
    public static Counter<long> BytesReceived { get; } = Meter.CreateCounter<long>("fcgi.bytes.received", "By",
        "Bytes read from FastCGI connections (records with headers and padding).");

    /// <summary><c>fcgi.bytes.sent</c>: bytes written to sockets (whole records), counted per flushed batch.</summary>
    public static Counter<long> BytesSent { get; } = Meter.CreateCounter<long>("fcgi.bytes.sent", "By",
        "Bytes written to FastCGI connections (records with headers and padding).");

    /// <summary><c>fcgi.proxy.queue.depth</c>: requests waiting in the proxy's pool queues for a backend slot.</summary>
    public static UpDownCounter<long> ProxyQueueDepth { get; } = Meter.CreateUpDownCounter<long>("fcgi.proxy.queue.depth", "{request}",
        "Requests waiting in the proxy's pool queues.");

    /// <summary><c>fcgi.proxy.overloaded</c>: overload answers the proxy gave (queue full or timed out, backend refused).</summary>
    public static Counter<long> ProxyOverloaded { get; } = Meter.CreateCounter<long>("fcgi.proxy.overloaded", "{request}",
        "Requests the proxy answered with its overload policy.");

    /// <summary><c>fcgi.backend.errors</c>: backend failures, tagged <see cref="ErrorTypeTag"/>.</summary>
    public static Counter<long> BackendErrors { get; } = Meter.CreateCounter<long>("fcgi.backend.errors", "{error}",
        "Backend failures: connect failures, requests lost with a connection, requests the proxy could not relay.");

    /// <summary><c>fcgi.backend.restarts</c>: backend processes restarted by the proxy's supervisor.</summary>
    public static Counter<long> BackendRestarts { get; } = Meter.CreateCounter<long>("fcgi.backend.restarts", "{restart}",
        "Backend processes that exited and were restarted by the supervisor.");

    /// <summary>The tag value used for <paramref name="component"/>.</summary>
    public static string ComponentName(FcgiComponent component) => component switch
    {
        FcgiComponent.Responder => "responder",
        FcgiComponent.Client => "client",
        FcgiComponent.Proxy => "proxy",
        FcgiComponent.AspNetCore => "aspnet",
        _ => throw new ArgumentOutOfRangeException(nameof(component), component, null),
    };

    /// <summary>The tag value used for <paramref name="outcome"/>.</summary>
    public static string OutcomeName(FcgiRequestOutcome outcome) => outcome switch
    {
        FcgiRequestOutcome.Completed => "completed",
        FcgiRequestOutcome.Aborted => "aborted",
        FcgiRequestOutcome.Overloaded => "overloaded",
        FcgiRequestOutcome.UnknownRole => "unknown-role",
        FcgiRequestOutcome.CantMpx => "cant-mpx",
        FcgiRequestOutcome.Error => "error",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    /// <summary>The tag value used for <paramref name="error"/>.</summary>
    public static string BackendErrorName(FcgiBackendError error) => error switch
    {
        FcgiBackendError.Connect => "connect",
        FcgiBackendError.ConnectionLost => "connection-lost",
        FcgiBackendError.NotReached => "not-reached",
        FcgiBackendError.Response => "response",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, null),
    };

    /// <summary>
    /// The outcome a responder reports for the END_REQUEST it decided on: a refusal by its
    /// protocolStatus (§5.5); dropped output is an abort when the web server asked for it
    /// (appStatus 0) or the connection went away, an error when a limit failed the request;
    /// otherwise appStatus says completed or error.
    /// </summary>
    public static FcgiRequestOutcome ResponderOutcome(ProtocolStatus status, int appStatus, bool outputDiscarded, bool connectionLost) => status switch
    {
        ProtocolStatus.Overloaded => FcgiRequestOutcome.Overloaded,
        ProtocolStatus.UnknownRole => FcgiRequestOutcome.UnknownRole,
        ProtocolStatus.CantMpxConn => FcgiRequestOutcome.CantMpx,
        _ when outputDiscarded => connectionLost || appStatus == 0 ? FcgiRequestOutcome.Aborted : FcgiRequestOutcome.Error,
        _ => appStatus == 0 ? FcgiRequestOutcome.Completed : FcgiRequestOutcome.Error,
    };
}
