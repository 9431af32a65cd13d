using System.Diagnostics.Metrics;
using FcgiActors.Hosting.Metrics;

namespace FcgiActors.Hosting.Tests.Metrics;

public class FcgiMetricsTests
{
    [Fact]
    public void Instruments_AllLiveOnTheFcgiActorsMeter()
    {
        using var metrics = new FcgiMetrics();
        var names = new List<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, metrics.Requests.Meter))
                {
                    names.Add(instrument.Name);
                }
            },
        };
        listener.Start();

        Assert.Equal("FcgiActors", metrics.Requests.Meter.Name);
        Assert.Equal(
            ["fcgi.backend.errors", "fcgi.backend.restarts", "fcgi.connections.active", "fcgi.io.received", "fcgi.io.sent",
             "fcgi.queue.depth", "fcgi.request.duration", "fcgi.requests", "fcgi.requests.active"],
            names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void RequestStopped_RecordsOutcomeAndComponentTags()
    {
        using var metrics = new FcgiMetrics();
        using var recorder = new MeasurementRecorder(metrics);

        metrics.RequestStarted(FcgiComponent.Responder);
        metrics.RequestStopped(FcgiComponent.Responder, FcgiRequestOutcome.Aborted, System.Diagnostics.Stopwatch.GetTimestamp());

        Assert.Contains(recorder.Measurements, m => m.Name == "fcgi.requests.active" && m.Value == 1 && m.Tag("fcgi.component") == "responder");
        Assert.Contains(recorder.Measurements, m => m.Name == "fcgi.requests.active" && m.Value == -1);
        Assert.Contains(recorder.Measurements, m => m.Name == "fcgi.requests" && m.Value == 1 && m.Tag("fcgi.outcome") == "aborted");
        Assert.Contains(recorder.Measurements, m => m.Name == "fcgi.request.duration" && m.Value >= 0);
    }

    [Fact]
    public void BackendFailed_TagsBackendAndKind()
    {
        using var metrics = new FcgiMetrics();
        using var recorder = new MeasurementRecorder(metrics);

        metrics.BackendFailed(FcgiComponent.Proxy, "127.0.0.1:9000", "connect");
        metrics.BackendRestarted(FcgiComponent.Proxy, "127.0.0.1:9000");
        metrics.QueueChanged(FcgiComponent.Proxy, 1);
        metrics.AddBytesSent(FcgiComponent.Client, 42);
        metrics.AddBytesReceived(FcgiComponent.Client, 7);
        metrics.ConnectionOpened(FcgiComponent.Client);

        Assert.Contains(recorder.Measurements, m => m.Name == "fcgi.backend.errors" && m.Tag("fcgi.backend") == "127.0.0.1:9000" && m.Tag("error.type") == "connect");
        Assert.Contains(recorder.Measurements, m => m.Name == "fcgi.backend.restarts" && m.Value == 1);
        Assert.Contains(recorder.Measurements, m => m.Name == "fcgi.queue.depth" && m.Value == 1);
        Assert.Contains(recorder.Measurements, m => m.Name == "fcgi.io.sent" && m.Value == 42 && m.Tag("fcgi.component") == "client");
        Assert.Contains(recorder.Measurements, m => m.Name == "fcgi.io.received" && m.Value == 7);
        Assert.Contains(recorder.Measurements, m => m.Name == "fcgi.connections.active" && m.Value == 1);
    }

    [Fact]
    public void Measurements_WithoutListener_AreNoOps()
    {
        using var metrics = new FcgiMetrics();

        metrics.RequestStarted(FcgiComponent.AspNetCore);
        metrics.RequestStopped(FcgiComponent.AspNetCore, FcgiRequestOutcome.Completed, 0);

        Assert.False(metrics.Requests.Enabled);
    }
}
