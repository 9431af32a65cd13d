namespace FcgiActors.Actors;

/// <summary>
/// Timers of one actor, used only from its own thread. A firing timer enqueues its
/// <see cref="Entry"/>; the cell delivers the entry's message only if that entry is still the
/// current one for its key, so cancelled or replaced timers never deliver.
/// </summary>
internal sealed class TimerScheduler(ActorCell cell) : ITimerScheduler
{
    private readonly Dictionary<object, Entry> _timers = [];

    public void StartSingleTimer(object key, object message, TimeSpan delay) => Start(key, message, delay, periodic: false);

    public void StartPeriodicTimer(object key, object message, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        Start(key, message, interval, periodic: true);
    }

    public bool IsTimerActive(object key) => _timers.ContainsKey(key);

    public void Cancel(object key)
    {
        if (_timers.Remove(key, out var entry))
        {
            entry.Dispose();
        }
    }

    public void CancelAll()
    {
        foreach (var entry in _timers.Values)
        {
            entry.Dispose();
        }

        _timers.Clear();
    }

    /// <summary>True when <paramref name="entry"/> is current; a single timer is then used up.</summary>
    internal bool Accept(Entry entry)
    {
        if (!_timers.TryGetValue(entry.Key, out var current) || !ReferenceEquals(current, entry))
        {
            return false;
        }

        if (!entry.Periodic)
        {
            _timers.Remove(entry.Key);
            entry.Dispose();
        }

        return true;
    }

    private void Start(object key, object message, TimeSpan delay, bool periodic)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(message);
        Cancel(key);
        var entry = new Entry(cell, key, message, periodic);
        _timers[key] = entry;
        entry.Arm(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, periodic ? delay : Timeout.InfiniteTimeSpan);
    }

    internal sealed class Entry(ActorCell cell, object key, object message, bool periodic) : IDisposable
    {
        private Timer? _timer;

        public object Key { get; } = key;

        public object Message { get; } = message;

        public bool Periodic { get; } = periodic;

        public void Arm(TimeSpan due, TimeSpan period)
        {
            // Timers must not capture the caller's ExecutionContext (AsyncLocals of whoever spawned us).
            var restore = !ExecutionContext.IsFlowSuppressed();
            var flow = restore ? ExecutionContext.SuppressFlow() : default;
            try
            {
                _timer = new Timer(static state => ((Entry)state!).Fire(), this, due, period);
            }
            finally
            {
                if (restore)
                {
                    flow.Undo();
                }
            }
        }

        public void Dispose() => _timer?.Dispose();

        private void Fire() => cell.Post(this, null);

        public override string ToString() => $"Timer({Key})";
    }
}
