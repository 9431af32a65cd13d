using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FcgiActors.Hosting.Metrics;

/// <summary>
/// The FcgiActors instruments, on the meter named <see cref="MeterName"/> ("FcgiActors"), readable with
/// <c>dotnet-counters monitor -n APP --counters FcgiActors</c> or any OpenTelemetry metrics exporter.
/// Every measurement carries a <c>fcgi.component</c> tag (<see cref="FcgiComponent"/>: responder,
/// proxy, client, aspnet) so one process hosting several faces keeps them apart.
/// </summary>
/// <remarks>
/// One instance per process (the DI extensions register it as a singleton over the host's
/// <see cref="IMeterFactory"/>). All methods are thread-safe and cheap when nothing listens:
/// <see cref="Instrument.Enabled"/> is checked before building tags.
/// </remarks>
public sealed class FcgiMetrics : IDisposable
{
    /// <summary>The meter name, as passed to <c>dotnet-counters --counters</c>.</summary>
    public const string MeterName = "FcgiActors";

    /// <summary>Tag naming the component that measured (<see cref="FcgiComponent"/> values).</summary>
    public const string ComponentTag = "fcgi.component";

    /// <summary>Tag naming a request's outcome (<see cref="FcgiRequestOutcome"/> values, lower case).</summary>
    public const string OutcomeTag = "fcgi.outcome";

    /// <summary>Tag naming a backend address (proxy and client pool instruments).</summary>
    public const string BackendTag = "fcgi.backend";

    /// <summary>Tag naming the kind of a backend error (e.g. "connect", "timeout", "protocol", "eof").</summary>
    public const string ErrorKindTag = "error.type";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a meter of its own when null.</summary>
    public FcgiMetrics(IMeterFactory? meterFactory = null)
    {
        if (meterFactory is null)
        {
            _meter = new Meter(MeterName, typeof(FcgiMetrics).Assembly.GetName().Version?.ToString());
            _ownsMeter = true;
        }
        else
        {
            _meter = meterFactory.Create(MeterName, typeof(FcgiMetrics).Assembly.GetName().Version?.ToString());
        }

        ActiveConnections = _meter.CreateUpDownCounter<long>("fcgi.connections.active", "{connection}",
            "FastCGI connections currently open (front connections accepted, or backend connections held by a pool).");
        ActiveRequests = _meter.CreateUpDownCounter<long>("fcgi.requests.active", "{request}",
            "FastCGI requests between BEGIN_REQUEST and END_REQUEST.");
        Requests = _meter.CreateCounter<long>("fcgi.requests", "{request}",
            "FastCGI requests finished, tagged by fcgi.outcome.");
        RequestDuration = _meter.CreateHistogram<double>("fcgi.request.duration", "s",
            "Time from the request's parameters being complete to its END_REQUEST.");
        BytesReceived = _meter.CreateCounter<long>("fcgi.io.received", "By",
            "Stream payload bytes received (STDIN/DATA on the responder side, STDOUT/STDERR on the client side).");
        BytesSent = _meter.CreateCounter<long>("fcgi.io.sent", "By",
            "Stream payload bytes sent (STDOUT/STDERR on the responder side, STDIN/DATA on the client side).");
        QueueDepth = _meter.CreateUpDownCounter<long>("fcgi.queue.depth", "{request}",
            "Requests waiting for a backend connection or a handler slot.");
        BackendErrors = _meter.CreateCounter<long>("fcgi.backend.errors", "{error}",
            "Backend failures (connect, timeout, protocol error, EOF before END_REQUEST), tagged by error.type.");
        Restarts = _meter.CreateCounter<long>("fcgi.backend.restarts", "{restart}",
            "Backend processes or connections restarted by a supervisor.");
    }

    /// <summary><c>fcgi.connections.active</c>: +1 on accept/connect, -1 on close.</summary>
    public UpDownCounter<long> ActiveConnections { get; }

    /// <summary><c>fcgi.requests.active</c>: +1 at BEGIN_REQUEST, -1 at END_REQUEST.</summary>
    public UpDownCounter<long> ActiveRequests { get; }

    /// <summary><c>fcgi.requests</c>: +1 per finished request with an <see cref="OutcomeTag"/>.</summary>
    public Counter<long> Requests { get; }

    /// <summary><c>fcgi.request.duration</c> in seconds.</summary>
    public Histogram<double> RequestDuration { get; }

    /// <summary><c>fcgi.io.received</c> in bytes.</summary>
    public Counter<long> BytesReceived { get; }

    /// <summary><c>fcgi.io.sent</c> in bytes.</summary>
    public Counter<long> BytesSent { get; }

    /// <summary><c>fcgi.queue.depth</c>: +1 when a request starts waiting, -1 when it leaves the queue.</summary>
    public UpDownCounter<long> QueueDepth { get; }

    /// <summary><c>fcgi.backend.errors</c>: +1 per backend failure.</summary>
    public Counter<long> BackendErrors { get; }

    /// <summary><c>fcgi.backend.restarts</c>: +1 per backend restart.</summary>
    public Counter<long> Restarts { get; }

    /// <summary>A connection was opened by <paramref name="component"/>.</summary>
    public void ConnectionOpened(FcgiComponent component) => Add(ActiveConnections, 1, component);

    /// <summary>A connection of <paramref name="component"/> was closed.</summary>
    public void ConnectionClosed(FcgiComponent component) => Add(ActiveConnections, -1, component);

    /// <summary>A request started (BEGIN_REQUEST accepted, or sent by a client).</summary>
    public void RequestStarted(FcgiComponent component) => Add(ActiveRequests, 1, component);

    /// <summary>
    /// A request ended: decrements <c>fcgi.requests.active</c>, counts <c>fcgi.requests</c> with its
    /// outcome and records its duration (pass <see cref="Stopwatch.GetTimestamp"/> taken at start).
    /// </summary>
    public void RequestStopped(FcgiComponent component, FcgiRequestOutcome outcome, long startTimestamp)
    {
        Add(ActiveRequests, -1, component);
        if (Requests.Enabled)
        {
            Requests.Add(1, new KeyValuePair<string, object?>(ComponentTag, ComponentName(component)),
                new KeyValuePair<string, object?>(OutcomeTag, OutcomeName(outcome)));
        }

        if (RequestDuration.Enabled && startTimestamp != 0)
        {
            RequestDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds,
                new KeyValuePair<string, object?>(ComponentTag, ComponentName(component)),
                new KeyValuePair<string, object?>(OutcomeTag, OutcomeName(outcome)));
        }
    }

    /// <summary>Payload bytes received by <paramref name="component"/>.</summary>
    public void AddBytesReceived(FcgiComponent component, long bytes) => Add(BytesReceived, bytes, component);

    /// <summary>Payload bytes sent by <paramref name="component"/>.</summary>
    public void AddBytesSent(FcgiComponent component, long bytes) => Add(BytesSent, bytes, component);

    /// <summary>A request entered (+1) or left (-1) a wait queue.</summary>
    public void QueueChanged(FcgiComponent component, int delta) => Add(QueueDepth, delta, component);

    /// <summary>A backend failed; <paramref name="kind"/> is a short stable word ("connect", "timeout", "protocol", "eof").</summary>
    public void BackendFailed(FcgiComponent component, string backend, string kind)
    {
        if (BackendErrors.Enabled)
        {
            BackendErrors.Add(1, new KeyValuePair<string, object?>(ComponentTag, ComponentName(component)),
                new KeyValuePair<string, object?>(BackendTag, backend),
                new KeyValuePair<string, object?>(ErrorKindTag, kind));
        }
    }

    /// <summary>A backend process or connection was restarted.</summary>
    public void BackendRestarted(FcgiComponent component, string backend)
    {
        if (Restarts.Enabled)
        {
            Restarts.Add(1, new KeyValuePair<string, object?>(ComponentTag, ComponentName(component)),
                new KeyValuePair<string, object?>(BackendTag, backend));
        }
    }

    /// <summary>The tag value used for <paramref name="component"/>.</summary>
    public static string ComponentName(FcgiComponent component) => component switch
    {
        FcgiComponent.Responder => "responder",
        FcgiComponent.Proxy => "proxy",
        FcgiComponent.Client => "client",
        FcgiComponent.AspNetCore => "aspnet",
        _ => "other",
    };

    /// <summary>The tag value used for <paramref name="outcome"/>.</summary>
    public static string OutcomeName(FcgiRequestOutcome outcome) => outcome switch
    {
        FcgiRequestOutcome.Completed => "completed",
        FcgiRequestOutcome.Failed => "failed",
        FcgiRequestOutcome.Aborted => "aborted",
        FcgiRequestOutcome.Rejected => "rejected",
        FcgiRequestOutcome.Overloaded => "overloaded",
        _ => "other",
    };

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static void Add(Counter<long> counter, long value, FcgiComponent component)
    {
        if (counter.Enabled)
        {
            counter.Add(value, new KeyValuePair<string, object?>(ComponentTag, ComponentName(component)));
        }
    }

    private static void Add(UpDownCounter<long> counter, long value, FcgiComponent component)
    {
        if (counter.Enabled)
        {
            counter.Add(value, new KeyValuePair<string, object?>(ComponentTag, ComponentName(component)));
        }
    }
}
