using System.Runtime.CompilerServices;

namespace FcgiActors.Actors;

/// <summary>Base of every reference the kernel hands out; equality is identity.</summary>
internal abstract class InternalActorRef(string path) : IActorRef
{
    public string Path { get; } = path;

    public abstract void Tell(object message, IActorRef? sender = null);

    public virtual ValueTask TellAsync(object message, IActorRef? sender = null, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        Tell(message, sender);
        return default;
    }

    /// <summary>Registers a watcher; false when already dead, so the watcher is notified at once.</summary>
    internal virtual bool TryAddWatcher(ActorCell watcher) => true;

    internal virtual void RemoveWatcher(ActorCell watcher) { }

    public bool Equals(IActorRef? other) => ReferenceEquals(this, other);

    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => RuntimeHelpers.GetHashCode(this);

    public override string ToString() => Path;
}
