using FcgiActors.Diagnostics;
using FcgiActors.Hosting.Metrics;
using FcgiActors.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FcgiActors.Hosting.Tests.Metrics;

[Collection(MetricsCollection.Name)]
public class FcgiMetricsTests
{
    [Fact]
    public void AddFcgiMetrics_ResolvesAViewOverTheProcessWideMeter()
    {
        using var provider = new ServiceCollection().AddFcgiMetrics().BuildServiceProvider();

        var metrics = provider.GetRequiredService<FcgiMetrics>();

        Assert.Same(FcgiInstruments.Meter, metrics.Meter);
        Assert.Equal("FcgiActors", metrics.Meter.Name);
        Assert.Same(FcgiInstruments.Requests, metrics.Requests);
    }

    [Fact]
    public void RequestStopped_RecordsOutcomeComponentAndDuration()
    {
        using var recorder = new MetricsRecorder();
        var metrics = new FcgiMetrics();

        metrics.RequestStarted(FcgiComponent.AspNetCore);
        metrics.RequestStopped(FcgiComponent.AspNetCore, FcgiRequestOutcome.Aborted, System.Diagnostics.Stopwatch.GetTimestamp());

        Assert.Contains(recorder.Measurements, m => m.Name == "fcgi.requests.active" && m.Value == 1 && m.Tag("component") == "aspnet");
        Assert.Contains(recorder.Measurements, m => m.Name == "fcgi.requests.active" && m.Value == -1);
        Assert.Contains(recorder.Measurements, m => m.Name == "fcgi.requests" && m.Value == 1 && m.Tag("outcome") == "aborted");
        Assert.Contains(recorder.Measurements, m => m.Name == "fcgi.request.duration" && m.Value >= 0 && m.Tag("outcome") == "aborted");
    }

    [Fact]
    public void Helpers_TagComponentAndErrorType()
    {
        using var recorder = new MetricsRecorder();

        FcgiInstruments.BackendFailed(FcgiComponent.Proxy, FcgiBackendError.Connect);
        FcgiInstruments.BackendFailed(FcgiComponent.Client, FcgiBackendError.ConnectionLost, 3);
        FcgiInstruments.BackendRestarted(FcgiComponent.Proxy);
        FcgiInstruments.ProxyQueued();
        FcgiInstruments.ProxyDequeued();
        FcgiInstruments.Sent(FcgiComponent.Client, 42);
        FcgiInstruments.Received(FcgiComponent.Client, 7);

        Assert.Equal(1, recorder.Sum("fcgi.backend.errors", ("component", "proxy"), ("error.type", "connect")));
        Assert.Equal(3, recorder.Sum("fcgi.backend.errors", ("component", "client"), ("error.type", "connection-lost")));
        Assert.Equal(1, recorder.Sum("fcgi.backend.restarts", ("component", "proxy")));
        Assert.Equal(2, recorder.Count("fcgi.proxy.queue.depth"));
        Assert.Equal(0, recorder.Sum("fcgi.proxy.queue.depth"));
        Assert.Equal(42, recorder.Sum("fcgi.bytes.sent", ("component", "client")));
        Assert.Equal(7, recorder.Sum("fcgi.bytes.received", ("component", "client")));
    }

    [Theory]
    [InlineData(ProtocolStatusCase.Overloaded, 0, false, false, FcgiRequestOutcome.Overloaded)]
    [InlineData(ProtocolStatusCase.UnknownRole, 0, false, false, FcgiRequestOutcome.UnknownRole)]
    [InlineData(ProtocolStatusCase.CantMpxConn, 0, false, false, FcgiRequestOutcome.CantMpx)]
    [InlineData(ProtocolStatusCase.RequestComplete, 0, false, false, FcgiRequestOutcome.Completed)]
    [InlineData(ProtocolStatusCase.RequestComplete, 1, false, false, FcgiRequestOutcome.Error)]
    [InlineData(ProtocolStatusCase.RequestComplete, 0, true, false, FcgiRequestOutcome.Aborted)]
    [InlineData(ProtocolStatusCase.RequestComplete, 1, true, true, FcgiRequestOutcome.Aborted)]
    [InlineData(ProtocolStatusCase.RequestComplete, 1, true, false, FcgiRequestOutcome.Error)]
    public void ResponderOutcome_MapsTheEndRequestDecided(ProtocolStatusCase status, int appStatus, bool discarded, bool connectionLost, FcgiRequestOutcome expected) =>
        Assert.Equal(expected, FcgiInstruments.ResponderOutcome((FcgiActors.Protocol.ProtocolStatus)status, appStatus, discarded, connectionLost));

    [Fact]
    public void Measurements_WithoutListener_AreNoOps()
    {
        FcgiInstruments.RequestBegan(FcgiComponent.AspNetCore);
        FcgiInstruments.RequestEnded(FcgiComponent.AspNetCore, FcgiRequestOutcome.Completed);

        Assert.False(FcgiInstruments.Requests.Enabled);
    }

    /// <summary>ProtocolStatus mirrored as a public test-data type (xunit theories need public parameter types).</summary>
    public enum ProtocolStatusCase : byte
    {
        RequestComplete = 0,
        CantMpxConn = 1,
        Overloaded = 2,
        UnknownRole = 3,
    }
}
