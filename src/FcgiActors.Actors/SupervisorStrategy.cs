namespace FcgiActors.Actors;

/// <summary>How a parent treats a failing child. Only <see cref="OneForOneStrategy"/> is provided.</summary>
public abstract class SupervisorStrategy
{
    private protected SupervisorStrategy(bool loggingEnabled) => LoggingEnabled = loggingEnabled;

    /// <summary>
    /// Whether the parent logs a child's failure (at Error, with the directive). Off for children
    /// that log their own failures, so that each failure is logged once.
    /// </summary>
    public bool LoggingEnabled { get; }

    /// <summary>Restart on any exception, no backoff, at most 10 restarts within 1 minute, then Stop.</summary>
    public static SupervisorStrategy Default { get; } =
        new OneForOneStrategy(_ => Directive.Restart, maxNrOfRetries: 10, withinTimeRange: TimeSpan.FromMinutes(1));

    /// <summary>Stop the child on any exception.</summary>
    public static SupervisorStrategy StoppingStrategy { get; } = new OneForOneStrategy(_ => Directive.Stop);

    internal abstract Directive Decide(Exception cause);

    /// <summary>Counts a restart; false when the retry budget is spent (the child is then stopped).</summary>
    internal abstract bool TryRestart(ChildRestartStats stats, long nowTicks, out TimeSpan delay);
}
