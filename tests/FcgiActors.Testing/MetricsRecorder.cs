using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace FcgiActors.Testing;

/// <summary>
/// Listens to the meter "FcgiActors" by name, as <c>dotnet-counters --counters FcgiActors</c> does,
/// and keeps every measurement. The meter is process-wide: tests using this belong to a
/// collection that does not run in parallel with others.
/// </summary>
public sealed class MetricsRecorder : IDisposable
{
    public const string MeterName = "FcgiActors";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private readonly ConcurrentDictionary<string, byte> _published = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MetricsRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName)
            {
                _published[instrument.Name] = 0;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Names of the instruments the listener was offered on the meter.</summary>
    public IReadOnlyCollection<string> Instruments => _published.Keys.ToArray();

    public IReadOnlyCollection<Measurement> Measurements => _measurements.ToArray();

    /// <summary>The sum of <paramref name="instrument"/>'s measurements whose tags include every (key, value) given.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) =>
        _measurements.Where(m => m.Name == instrument && tags.All(t => m.Tag(t.Key) == t.Value)).Sum(m => m.Value);

    /// <summary>How many measurements of <paramref name="instrument"/> match the tags.</summary>
    public int Count(string instrument, params (string Key, string Value)[] tags) =>
        _measurements.Count(m => m.Name == instrument && tags.All(t => m.Tag(t.Key) == t.Value));

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking on every new measurement (no polling).</summary>
    public async Task WaitUntilAsync(Func<MetricsRecorder, bool> condition, string what, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            if (condition(this))
            {
                return;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                if (condition(this))
                {
                    return;
                }

                throw new TimeoutException($"Not within {timeout.TotalSeconds} s: {what}. Seen: {Describe()}");
            }
        }
    }

    public string Describe() => string.Join("; ", _measurements.GroupBy(m => m.Name + "{" + string.Join(",", m.Tags.Select(t => $"{t.Key}={t.Value}")) + "}")
        .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Sum(m => m.Value)}"));

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        _measurements.Enqueue(new Measurement(instrument.Name, value, tags.ToArray()));
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    public sealed record Measurement(string Name, double Value, KeyValuePair<string, object?>[] Tags)
    {
        public string? Tag(string name) => Tags.FirstOrDefault(t => t.Key == name).Value as string;

        public override string ToString() => $"{Name} {Value}";
    }
}
