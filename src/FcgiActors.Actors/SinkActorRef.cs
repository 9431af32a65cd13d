namespace FcgiActors.Actors;

/// <summary>
/// Nobody (drops everything) or a system's DeadLetters (publishes everything). Never alive, so
/// watching it yields <see cref="Terminated"/> at once.
/// </summary>
internal sealed class SinkActorRef(string path, ActorSystem? system) : InternalActorRef(path)
{
    public override void Tell(object message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (system is null)
        {
            return;
        }

        if (message is DeadLetter letter)
        {
            system.PublishDeadLetter(letter.Message, letter.Sender, letter.Recipient);
        }
        else
        {
            system.PublishDeadLetter(message, sender, this);
        }
    }

    internal override bool TryAddWatcher(ActorCell watcher) => false;
}
