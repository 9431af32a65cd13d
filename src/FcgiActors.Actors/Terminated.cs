namespace FcgiActors.Actors;

/// <summary>Delivered once to each watcher when a watched actor has stopped (see <see cref="IActorContext.Watch"/>).</summary>
public sealed record Terminated(IActorRef ActorRef)
{
    /// <inheritdoc />
    public override string ToString() => $"Terminated({ActorRef.Path})";
}
