namespace FcgiActors.Actors;

/// <summary>The reference to an actor cell of this process.</summary>
internal sealed class LocalActorRef(ActorCell cell, string path) : InternalActorRef(path)
{
    internal ActorCell Cell { get; } = cell;

    public override void Tell(object message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        Cell.Post(message, sender);
    }

    public override ValueTask TellAsync(object message, IActorRef? sender = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Cell.PostAsync(message, sender, ct);
    }

    internal override bool TryAddWatcher(ActorCell watcher) => Cell.TryAddWatcher(watcher);

    internal override void RemoveWatcher(ActorCell watcher) => Cell.RemoveWatcher(watcher);
}
