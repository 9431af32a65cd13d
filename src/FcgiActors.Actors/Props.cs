namespace FcgiActors.Actors;

/// <summary>The recipe for an actor: a factory (called again on every restart) and a mailbox kind.</summary>
public sealed class Props
{
    private Props(Func<ActorBase> factory, Type actorType, int mailboxCapacity)
    {
        Factory = factory;
        ActorType = actorType;
        MailboxCapacity = mailboxCapacity;
    }

    /// <summary>The concrete actor type (also the logging category).</summary>
    public Type ActorType { get; }

    /// <summary>The bounded mailbox capacity, or 0 for unbounded.</summary>
    public int MailboxCapacity { get; }

    internal Func<ActorBase> Factory { get; }

    /// <summary>Props whose actor is made by <paramref name="factory"/>, called once per incarnation.</summary>
    public static Props Create<TActor>(Func<TActor> factory) where TActor : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new Props(factory, typeof(TActor), 0);
    }

    /// <summary>
    /// A bounded mailbox: <see cref="IActorRef.Tell"/> to a full mailbox goes to dead letters,
    /// <see cref="IActorRef.TellAsync"/> waits for room.
    /// </summary>
    public Props WithBoundedMailbox(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return new Props(Factory, ActorType, capacity);
    }
}
