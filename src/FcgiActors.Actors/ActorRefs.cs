namespace FcgiActors.Actors;

/// <summary>Well-known references. "No sender" is <see langword="null"/>.</summary>
public static class ActorRefs
{
    /// <summary>A sink: messages told to it are dropped; watching it yields <see cref="Terminated"/> at once.</summary>
    public static IActorRef Nobody { get; } = new SinkActorRef("/nobody", system: null);
}
