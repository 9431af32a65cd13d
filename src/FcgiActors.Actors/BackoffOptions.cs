namespace FcgiActors.Actors;

/// <summary>
/// Exponential backoff between restarts: restart n waits
/// <c>min(MinBackoff * 2^(n-1), MaxBackoff) * (1 + random * RandomFactor)</c>. Messages sent
/// meanwhile stay in the mailbox. n goes back to 1 once the child ran <see cref="ResetAfter"/>
/// (default: <see cref="MaxBackoff"/>) without failing.
/// </summary>
public sealed record BackoffOptions(TimeSpan MinBackoff, TimeSpan MaxBackoff, double RandomFactor = 0.2, TimeSpan? ResetAfter = null)
{
    internal TimeSpan Delay(int restartNumber, double random)
    {
        var exponent = Math.Min(Math.Max(restartNumber - 1, 0), 30);
        var ticks = Math.Min(MinBackoff.Ticks * (double)(1L << exponent), MaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)(ticks * (1 + (random * RandomFactor))));
    }
}
