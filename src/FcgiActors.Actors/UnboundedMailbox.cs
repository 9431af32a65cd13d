using System.Threading.Channels;

namespace FcgiActors.Actors;

/// <summary>
/// The default mailbox: a ring buffer under a lock, starting at a few slots and doubling. Most
/// actors (one per request) see a handful of messages in their life, so this costs ~0.2 KB per
/// actor where an unbounded channel's first queue segment and completion source cost ~0.9 KB;
/// a busy actor's ring stops growing at its peak depth and then allocates nothing.
/// </summary>
internal sealed class UnboundedMailbox : Mailbox
{
    private const int InitialCapacity = 4; // a power of two, so the ring index is a mask

    private readonly Lock _lock = new();
    private Envelope[]? _items; // guarded by _lock
    private int _head;          // guarded by _lock
    private int _count;         // written under _lock, read without it by HasMessages
    private bool _completed;    // guarded by _lock

    public override bool HasMessages => Volatile.Read(ref _count) > 0;

    public override bool TryWrite(Envelope envelope)
    {
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }

            var items = _items ??= new Envelope[InitialCapacity];
            if (_count == items.Length)
            {
                items = Grow(items);
            }

            items[(_head + _count) & (items.Length - 1)] = envelope;
            Volatile.Write(ref _count, _count + 1);
            return true;
        }
    }

    public override ValueTask WriteAsync(Envelope envelope, CancellationToken ct)
    {
        if (ct.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(ct);
        }

        return TryWrite(envelope) ? ValueTask.CompletedTask : ValueTask.FromException(new ChannelClosedException());
    }

    public override void TryComplete()
    {
        lock (_lock)
        {
            _completed = true;
        }
    }

    public override bool TryRead(out Envelope envelope)
    {
        lock (_lock)
        {
            if (_count == 0)
            {
                envelope = default;
                return false;
            }

            var items = _items!;
            envelope = items[_head];
            items[_head] = default; // the mailbox must not keep a handled message alive
            _head = (_head + 1) & (items.Length - 1);
            Volatile.Write(ref _count, _count - 1);
            return true;
        }
    }

    private Envelope[] Grow(Envelope[] items)
    {
        var grown = new Envelope[items.Length * 2];
        var firstPart = items.Length - _head;
        Array.Copy(items, _head, grown, 0, firstPart);
        Array.Copy(items, 0, grown, firstPart, _head);
        _head = 0;
        _items = grown;
        return grown;
    }
}
