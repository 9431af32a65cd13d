namespace FcgiActors.Actors;

internal sealed partial class ActorCell
{
    private HashSet<ActorCell>? _watchers; // guarded by _sync
    private bool _watchersNotified;        // guarded by _sync
    private HashSet<InternalActorRef>? _watching;
    private List<InternalActorRef>? _deferredTerminated;

    public IActorRef Watch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (subject is InternalActorRef target && !ReferenceEquals(target, SelfRef) && (_watching ??= []).Add(target)
            && !target.TryAddWatcher(this))
        {
            // Already dead: the notification still goes through the system queue, so it is delivered
            // after the current message and exactly once.
            SendSystem(new SystemMessage(SystemMessageKind.DeathWatchNotification, target));
        }

        return subject;
    }

    public IActorRef Unwatch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (subject is InternalActorRef target && _watching?.Remove(target) == true)
        {
            target.RemoveWatcher(this);
            _deferredTerminated?.Remove(target);
        }

        return subject;
    }

    internal bool TryAddWatcher(ActorCell watcher)
    {
        lock (_sync)
        {
            if (_watchersNotified)
            {
                return false;
            }

            (_watchers ??= []).Add(watcher);
            return true;
        }
    }

    internal void RemoveWatcher(ActorCell watcher)
    {
        lock (_sync)
        {
            _watchers?.Remove(watcher);
        }
    }

    /// <summary>Delivers <see cref="Terminated"/> if still watched; true when its handler went async.</summary>
    private bool OnWatchedTerminated(InternalActorRef subject)
    {
        if (_terminating || _watching is null || !_watching.Contains(subject))
        {
            return false;
        }

        if (_suspended || _actor is null)
        {
            // A failed actor handles nothing until its supervisor decided; keep the news for then.
            (_deferredTerminated ??= []).Add(subject);
            return false;
        }

        _watching.Remove(subject);
        return Invoke(new Terminated(subject), subject);
    }

    private void RedeliverDeferredTerminated()
    {
        if (_deferredTerminated is { } deferred)
        {
            _deferredTerminated = null;
            foreach (var subject in deferred)
            {
                SendSystem(new SystemMessage(SystemMessageKind.DeathWatchNotification, subject));
            }
        }
    }

    private void NotifyWatchers()
    {
        HashSet<ActorCell>? watchers;
        lock (_sync)
        {
            _watchersNotified = true;
            watchers = _watchers;
            _watchers = null;
        }

        if (watchers is not null)
        {
            foreach (var watcher in watchers)
            {
                watcher.SendSystem(new SystemMessage(SystemMessageKind.DeathWatchNotification, SelfRef));
            }
        }
    }

    private void UnwatchAll()
    {
        if (_watching is { } watching)
        {
            _watching = null;
            _deferredTerminated = null;
            foreach (var subject in watching)
            {
                subject.RemoveWatcher(this);
            }
        }
    }
}
