namespace FcgiActors.Actors;

/// <summary>
/// Per-actor timers that send a message to Self. Use only from the actor's own handlers. Timers
/// die with the actor; a restarted actor has none. Starting a timer under a key in use replaces it,
/// and a message of a cancelled or replaced timer is never delivered, even if already enqueued.
/// </summary>
public interface ITimerScheduler
{
    /// <summary>Sends <paramref name="message"/> once after <paramref name="delay"/>.</summary>
    void StartSingleTimer(object key, object message, TimeSpan delay);

    /// <summary>Sends <paramref name="message"/> every <paramref name="interval"/>.</summary>
    void StartPeriodicTimer(object key, object message, TimeSpan interval);

    /// <summary>True while a timer under <paramref name="key"/> has yet to fire (single) or is running (periodic).</summary>
    bool IsTimerActive(object key);

    /// <summary>Cancels the timer under <paramref name="key"/>, if any.</summary>
    void Cancel(object key);

    /// <summary>Cancels every timer of this actor.</summary>
    void CancelAll();
}
