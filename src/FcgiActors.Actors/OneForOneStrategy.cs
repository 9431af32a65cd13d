namespace FcgiActors.Actors;

/// <summary>
/// Applies the decider's directive to the failing child only. A restart counts against
/// <c>maxNrOfRetries</c> within <c>withinTimeRange</c> (a new window opens when the old one has
/// passed); once exceeded, the child is stopped. -1 retries means unlimited.
/// </summary>
public sealed class OneForOneStrategy : SupervisorStrategy
{
    private readonly Func<Exception, Directive> _decider;
    private readonly int _maxNrOfRetries;
    private readonly TimeSpan? _withinTimeRange;
    private readonly BackoffOptions? _backoff;

    /// <summary>Creates the strategy; <paramref name="loggingEnabled"/> false leaves the logging of failures to the children.</summary>
    public OneForOneStrategy(Func<Exception, Directive> decider, int maxNrOfRetries = -1, TimeSpan? withinTimeRange = null, BackoffOptions? backoff = null,
        bool loggingEnabled = true)
        : base(loggingEnabled)
    {
        ArgumentNullException.ThrowIfNull(decider);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNrOfRetries, -1);
        if (withinTimeRange is { } range && range <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(withinTimeRange), range, "The retry window must be positive.");
        }

        if (backoff is not null && (backoff.MinBackoff < TimeSpan.Zero || backoff.MaxBackoff < backoff.MinBackoff || backoff.RandomFactor < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(backoff), backoff, "Backoff needs 0 <= MinBackoff <= MaxBackoff and RandomFactor >= 0.");
        }

        _decider = decider;
        _maxNrOfRetries = maxNrOfRetries;
        _withinTimeRange = withinTimeRange;
        _backoff = backoff;
    }

    internal override Directive Decide(Exception cause) => _decider(cause);

    internal override bool TryRestart(ChildRestartStats stats, long nowTicks, out TimeSpan delay)
    {
        delay = TimeSpan.Zero;
        if (!WithinRetryBudget(stats, nowTicks))
        {
            return false;
        }

        if (_backoff is not null)
        {
            // A child that stayed up for ResetAfter since its last restart starts again at MinBackoff.
            var resetAfter = _backoff.ResetAfter ?? _backoff.MaxBackoff;
            if (stats.BackoffRestarts > 0 && nowTicks - stats.LastRestartTicks >= resetAfter.Ticks)
            {
                stats.BackoffRestarts = 0;
            }

            stats.BackoffRestarts++;
            delay = _backoff.Delay(stats.BackoffRestarts, Random.Shared.NextDouble());
            stats.LastRestartTicks = nowTicks + delay.Ticks;
        }

        return true;
    }

    private bool WithinRetryBudget(ChildRestartStats stats, long nowTicks)
    {
        if (_maxNrOfRetries < 0)
        {
            return true;
        }

        if (_withinTimeRange is { } window && nowTicks - stats.WindowStartTicks > window.Ticks)
        {
            stats.WindowStartTicks = nowTicks;
            stats.RetriesInWindow = 0;
        }

        stats.RetriesInWindow++;
        return stats.RetriesInWindow <= _maxNrOfRetries;
    }
}
