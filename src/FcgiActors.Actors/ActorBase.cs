namespace FcgiActors.Actors;

/// <summary>
/// An actor: state plus behaviour, driven one message at a time by the kernel. Create it only
/// through <see cref="Props"/> and <c>ActorOf</c>; most actors derive from <see cref="ReceiveActor"/>.
/// </summary>
public abstract class ActorBase
{
    private readonly ActorCell _cell;

    /// <summary>Binds the new instance to the cell that is creating it.</summary>
    protected ActorBase()
    {
        _cell = ActorCell.Constructing
            ?? throw new InvalidOperationException($"{GetType().Name} must be created through Props and ActorOf, not with 'new'.");
    }

    /// <summary>The kernel as seen from this actor.</summary>
    protected IActorContext Context => _cell;

    /// <summary>This actor's reference.</summary>
    protected IActorRef Self => _cell.Self;

    /// <summary>The sender of the current message, or <see cref="ActorRefs.Nobody"/>.</summary>
    protected IActorRef Sender => _cell.Sender;

    /// <summary>Handles a message; returns false when it was not handled (then <see cref="Unhandled"/> runs).</summary>
    protected abstract bool Receive(object message);

    /// <summary>Runs before the first message of each incarnation (after a restart, via <see cref="PostRestart"/>).</summary>
    protected virtual void PreStart() { }

    /// <summary>Runs once the actor and all its children have stopped, and on the old instance before a restart.</summary>
    protected virtual void PostStop() { }

    /// <summary>Runs on the failed instance before it is replaced. Default: stop all children, then <see cref="PostStop"/>.</summary>
    protected virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.Children)
        {
            Context.Stop(child);
        }

        PostStop();
    }

    /// <summary>Runs on the fresh instance after a restart. Default: <see cref="PreStart"/>.</summary>
    protected virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>How this actor supervises its children. Default: <see cref="SupervisorStrategy.Default"/>.</summary>
    protected virtual SupervisorStrategy SupervisorStrategy() => Actors.SupervisorStrategy.Default;

    /// <summary>Called for a message no handler took. Default: forward it to dead letters (logged at Debug).</summary>
    protected virtual void Unhandled(object message) => _cell.System.PublishDeadLetter(message, _cell.Sender, _cell.Self);

    /// <summary>Dispatches a message; a returned task keeps the mailbox waiting until it completes.</summary>
    internal virtual Task? InvokeReceive(object message)
    {
        if (!Receive(message))
        {
            Unhandled(message);
        }

        return null;
    }

    internal void InvokeUnhandled(object message) => Unhandled(message);

    internal void InvokePreStart() => PreStart();

    internal void InvokePostStop() => PostStop();

    internal void InvokePreRestart(Exception reason, object? message) => PreRestart(reason, message);

    internal void InvokePostRestart(Exception reason) => PostRestart(reason);

    internal SupervisorStrategy InvokeSupervisorStrategy() => SupervisorStrategy();
}
