namespace FcgiActors.Actors;

/// <summary>The temporary reply-to reference of one Ask: the first message completes the task.</summary>
internal sealed class PromiseActorRef() : InternalActorRef("/temp/$" + Interlocked.Increment(ref s_counter))
{
    private static long s_counter;
    private readonly TaskCompletionSource<object> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<object> Reply => _reply.Task;

    public override void Tell(object message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        _reply.TrySetResult(message);
    }
}
