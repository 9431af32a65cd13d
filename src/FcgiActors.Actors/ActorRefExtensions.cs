using System.Runtime.ExceptionServices;

namespace FcgiActors.Actors;

/// <summary>Request/response on top of Tell.</summary>
public static class ActorRefExtensions
{
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
