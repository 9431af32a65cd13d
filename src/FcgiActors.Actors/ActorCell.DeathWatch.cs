namespace FcgiActors.Actors;

internal sealed partial class ActorCell
{
    private HashSet<ActorCell>? _watchers; // guarded by _sync
    private bool _watchersNotified;        // guarded by _sync
    private HashSet<InternalActorRef>? _watching;
    private HashSet<InternalActorRef>? _terminatedQueued; // Terminated in the mailbox, not yet handled

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
        if (subject is InternalActorRef target)
        {
            _terminatedQueued?.Remove(target); // retracts a Terminated already in the mailbox
            if (_watching?.Remove(target) == true)
            {
                target.RemoveWatcher(this);
            }
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

    /// <summary>
    /// Queues <see cref="Terminated"/> behind the messages already in the mailbox (as Akka does), so
    /// a watcher sees everything the subject sent it before it learns of its death.
    /// </summary>
    private void OnWatchedTerminated(InternalActorRef subject)
    {
        if (!_terminating && _watching?.Remove(subject) == true && (_terminatedQueued ??= []).Add(subject))
        {
            var queued = new QueuedTerminated(subject);
            if (!_mailbox.TryWrite(new Envelope(queued, subject)))
            {
                _ = PostAsync(queued, subject, CancellationToken.None).AsTask(); // a full bounded mailbox must not lose it
            }
        }
    }

    /// <summary>The <see cref="Terminated"/> to hand to the actor, or null if it was unwatched meanwhile.</summary>
    private Terminated? TakeQueuedTerminated(QueuedTerminated queued) =>
        _terminatedQueued?.Remove(queued.Subject) == true ? new Terminated(queued.Subject) : null;

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
            _terminatedQueued = null;
            foreach (var subject in watching)
            {
                subject.RemoveWatcher(this);
            }
        }
    }

    private sealed record QueuedTerminated(InternalActorRef Subject);
}
