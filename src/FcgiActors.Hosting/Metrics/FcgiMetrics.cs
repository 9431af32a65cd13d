using System.Diagnostics;
using System.Diagnostics.Metrics;
using FcgiActors.Diagnostics;

namespace FcgiActors.Hosting.Metrics;

/// <summary>
/// The FcgiActors instruments as a DI service (<c>services.AddFcgiMetrics()</c>): a view over
/// <see cref="FcgiInstruments"/>, the process-wide meter named <see cref="MeterName"/> ("FcgiActors")
/// that the responder, client and proxy libraries record on. Readable with
/// <c>dotnet-counters monitor --counters FcgiActors -p PID</c> or any OpenTelemetry metrics exporter.
/// </summary>
/// <remarks>
/// The libraries measure connections, requests, bytes, queueing, backend errors and restarts
/// themselves; resolve this type to read the instruments or to record what an application layer
/// adds on top (ASP.NET Core over FastCGI records its requests with component <c>aspnet</c>).
/// </remarks>
public sealed class FcgiMetrics
{
    /// <summary>The meter name, as passed to <c>dotnet-counters --counters</c>.</summary>
    public const string MeterName = FcgiInstruments.MeterName;

    /// <summary>Tag naming the component that measured (<see cref="FcgiComponent"/>).</summary>
    public const string ComponentTag = FcgiInstruments.ComponentTag;

    /// <summary>Tag naming a request's outcome (<see cref="FcgiRequestOutcome"/>).</summary>
    public const string OutcomeTag = FcgiInstruments.OutcomeTag;

    /// <summary>Tag naming the kind of a backend error (<see cref="FcgiBackendError"/>).</summary>
    public const string ErrorTypeTag = FcgiInstruments.ErrorTypeTag;

    /// <summary>The meter every instrument lives on.</summary>
    public Meter Meter => FcgiInstruments.Meter;

    /// <summary><c>fcgi.connections.active</c>.</summary>
    public UpDownCounter<long> ActiveConnections => FcgiInstruments.ActiveConnections;

    /// <summary><c>fcgi.requests.active</c>.</summary>
    public UpDownCounter<long> ActiveRequests => FcgiInstruments.ActiveRequests;

    /// <summary><c>fcgi.requests</c>, tagged by outcome.</summary>
    public Counter<long> Requests => FcgiInstruments.Requests;

    /// <summary><c>fcgi.request.duration</c> in seconds.</summary>
    public Histogram<double> RequestDuration => FcgiInstruments.RequestDuration;

    /// <summary><c>fcgi.bytes.received</c>.</summary>
    public Counter<long> BytesReceived => FcgiInstruments.BytesReceived;

    /// <summary><c>fcgi.bytes.sent</c>.</summary>
    public Counter<long> BytesSent => FcgiInstruments.BytesSent;

    /// <summary><c>fcgi.proxy.queue.depth</c>.</summary>
    public UpDownCounter<long> QueueDepth => FcgiInstruments.ProxyQueueDepth;

    /// <summary><c>fcgi.proxy.overloaded</c>.</summary>
    public Counter<long> Overloaded => FcgiInstruments.ProxyOverloaded;

    /// <summary><c>fcgi.backend.errors</c>, tagged by error type.</summary>
    public Counter<long> BackendErrors => FcgiInstruments.BackendErrors;

    /// <summary><c>fcgi.backend.restarts</c>.</summary>
    public Counter<long> Restarts => FcgiInstruments.BackendRestarts;

    /// <summary>A request of <paramref name="component"/> started.</summary>
    public void RequestStarted(FcgiComponent component) => FcgiInstruments.RequestBegan(component);

    /// <summary>
    /// A request ended: decrements <c>fcgi.requests.active</c>, counts <c>fcgi.requests</c> with its
    /// outcome and records its duration (pass <see cref="Stopwatch.GetTimestamp"/> taken at start; 0 records none).
    /// </summary>
    public void RequestStopped(FcgiComponent component, FcgiRequestOutcome outcome, long startTimestamp)
    {
        FcgiInstruments.RequestEnded(component, outcome);
        if (startTimestamp != 0)
        {
            FcgiInstruments.RecordDuration(component, outcome, Stopwatch.GetElapsedTime(startTimestamp));
        }
    }

    /// <summary>A backend failed.</summary>
    public void BackendFailed(FcgiComponent component, FcgiBackendError error) => FcgiInstruments.BackendFailed(component, error);
}
