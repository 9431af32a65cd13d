namespace FcgiActors.Actors;

/// <summary>
/// The only handle to an actor. Equality is identity: a new actor spawned under a reused name
/// gets a new, unequal reference.
/// </summary>
public interface IActorRef : IEquatable<IActorRef>
{
    /// <summary>The actor's place in the tree, e.g. <c>/user/listener/conn-3</c>.</summary>
    string Path { get; }

    /// <summary>
    /// Enqueues <paramref name="message"/> and returns at once. A full bounded mailbox or a dead
    /// actor sends the message to <see cref="ActorSystem.DeadLetters"/> instead (logged at Debug).
    /// </summary>
    void Tell(object message, IActorRef? sender = null);

    /// <summary>Like <see cref="Tell"/>, but waits for room when the mailbox is bounded and full.</summary>
    ValueTask TellAsync(object message, IActorRef? sender = null, CancellationToken ct = default);
}
