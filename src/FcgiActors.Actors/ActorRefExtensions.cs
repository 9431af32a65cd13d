using System.Runtime.ExceptionServices;

namespace FcgiActors.Actors;

/// <summary>Request/response on top of Tell, and Tell from an I/O loop.</summary>
public static class ActorRefExtensions
{
    /// <summary>
    /// Tell for an I/O loop (a socket read loop, not an actor): when the local actor is idle its
    /// turn runs on the calling thread, with a small budget, instead of waiting for a pool
    /// thread — one thread wake-up less where the next step is on a latency-critical path.
    /// Same guarantees as <see cref="IActorRef.Tell"/> (one turn at a time, mailbox order);
    /// called from inside an actor's turn, or for a busy or remote actor, it is a plain Tell.
    /// The actor's handlers must be short and never block, as on any pool thread.
    /// </summary>
    public static void TellFromIo(this IActorRef actor, object message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(message);
        if (actor is LocalActorRef local)
        {
            local.Cell.PostInline(message, sender);
        }
        else
        {
            actor.Tell(message, sender);
        }
    }

    /// <summary>
    /// Tells <paramref name="message"/> with a temporary reference as sender and awaits the first reply.
    /// A <see cref="Status.Failure"/> reply throws its cause; no reply within <paramref name="timeout"/>
    /// throws <see cref="AskTimeoutException"/>; a reply of another type throws <see cref="InvalidCastException"/>.
    /// </summary>
    public static async Task<T> Ask<T>(this IActorRef actor, object message, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(message);
        var promise = new PromiseActorRef();
        actor.Tell(message, promise);
        object reply;
        try
        {
            reply = await promise.Reply.WaitAsync(timeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new AskTimeoutException($"Ask of {actor.Path} with {message.GetType().Name} got no reply within {timeout}.");
        }

        switch (reply)
        {
            case T typed:
                return typed;
            case Status.Failure failure:
                ExceptionDispatchInfo.Throw(failure.Cause);
                throw failure.Cause; // unreachable: Throw never returns
            default:
                throw new InvalidCastException($"Ask of {actor.Path} expected {typeof(T).Name} but the reply was {reply.GetType().Name}.");
        }
    }
}
