namespace FcgiActors.Actors;

/// <summary>
/// An actor's user-message queue: many producers, one consumer (the cell's run). Writes are
/// accepted until <see cref="TryComplete"/>; reads drain what was accepted.
/// </summary>
internal abstract class Mailbox
{
    public static Mailbox Create(int capacity) => capacity > 0 ? new BoundedMailbox(capacity) : new UnboundedMailbox();

    /// <summary>False once completed, or when a bounded mailbox is full.</summary>
    public abstract bool TryWrite(Envelope envelope);

    /// <summary>Waits for room in a bounded mailbox; throws <see cref="System.Threading.Channels.ChannelClosedException"/> once completed.</summary>
    public abstract ValueTask WriteAsync(Envelope envelope, CancellationToken ct);

    /// <summary>Refuses further writes; what is queued can still be read.</summary>
    public abstract void TryComplete();

    public abstract bool TryRead(out Envelope envelope);

    public abstract bool HasMessages { get; }
}
