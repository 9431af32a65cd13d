namespace FcgiActors.Actors;

/// <summary>Per-child restart bookkeeping, owned by the parent's cell.</summary>
internal sealed class ChildRestartStats
{
    public int RetriesInWindow;
    public long WindowStartTicks;
    public int BackoffRestarts;
    public long LastRestartTicks;
}
