namespace FcgiActors.Actors;

/// <summary>A message that could not be delivered, as published to <see cref="ActorSystem.SubscribeDeadLetters"/> subscribers.</summary>
public sealed record DeadLetter(object Message, IActorRef? Sender, IActorRef Recipient)
{
    /// <inheritdoc />
    public override string ToString() => $"DeadLetter({Message.GetType().Name} from {Sender?.Path ?? "noSender"} to {Recipient.Path})";
}
