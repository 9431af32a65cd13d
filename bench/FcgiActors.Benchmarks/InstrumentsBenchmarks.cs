using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using FcgiActors.Diagnostics;

namespace FcgiActors.Benchmarks;

/// <summary>
/// The metric calls one responder request makes on a kept-alive connection (request began,
/// one read, one flushed batch, request ended with its outcome), with nobody listening to the
/// meter "FcgiActors" and with a listener (as dotnet-counters or an exporter) taking every measurement.
/// </summary>
[MemoryDiagnoser]
public class InstrumentsBenchmarks
{
    private MeterListener? _listener;
    private long _sink;

    [Params(false, true)]
    public bool Listening { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (!Listening)
        {
            return;
        }

        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == FcgiInstruments.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => _sink += value);
        _listener.Start();
    }

    [GlobalCleanup]
    public void Cleanup() => _listener?.Dispose();

    [Benchmark]
    public long OneRequest()
    {
        FcgiInstruments.RequestBegan(FcgiComponent.Responder);
        FcgiInstruments.Received(FcgiComponent.Responder, 512);
        FcgiInstruments.Sent(FcgiComponent.Responder, 4096);
        FcgiInstruments.RequestEnded(FcgiComponent.Responder,
            FcgiInstruments.ResponderOutcome(Protocol.ProtocolStatus.RequestComplete, 0, outputDiscarded: false, connectionLost: false));
        return _sink;
    }
}
