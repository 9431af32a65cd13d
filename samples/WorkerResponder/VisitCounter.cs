namespace WorkerResponder;

/// <summary>A singleton the per-request handler depends on.</summary>
public sealed class VisitCounter
{
    private long _visits;

    public long Next() => Interlocked.Increment(ref _visits);
}
