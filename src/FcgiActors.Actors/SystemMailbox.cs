namespace FcgiActors.Actors;

/// <summary>
/// An actor's system-message queue: many producers, one consumer (the cell's run). Most actors
/// only ever see Create and Terminate, so it costs one small node per message and nothing while
/// empty, where a <c>ConcurrentQueue</c> would allocate a ~1.3 KB segment for every actor.
/// Producers push onto a lock-free stack; the consumer takes the whole stack at once and
/// reverses it, so messages come out in the order their pushes took effect (FIFO).
/// </summary>
internal sealed class SystemMailbox
{
    private Node? _inbox;   // pushed by any thread, newest first
    private Node? _pending; // taken by the consumer, oldest first; written by the consumer only

    /// <summary>True when nothing is queued (racy by nature: a producer may push right after).</summary>
    public bool IsEmpty => Volatile.Read(ref _pending) is null && Volatile.Read(ref _inbox) is null;

    public void Enqueue(SystemMessage message)
    {
        var node = new Node(message);
        var head = Volatile.Read(ref _inbox);
        while (true)
        {
            node.Next = head;
            var seen = Interlocked.CompareExchange(ref _inbox, node, head);
            if (ReferenceEquals(seen, head))
            {
                return;
            }

            head = seen;
        }
    }

    /// <summary>Consumer only: the oldest queued message.</summary>
    public bool TryDequeue(out SystemMessage message)
    {
        var next = _pending;
        if (next is null)
        {
            if (Volatile.Read(ref _inbox) is null)
            {
                message = default;
                return false;
            }

            // Reverse the taken stack into arrival order.
            var taken = Interlocked.Exchange(ref _inbox, null);
            while (taken is not null)
            {
                var after = taken.Next;
                taken.Next = next;
                next = taken;
                taken = after;
            }
        }

        message = next!.Message;
        Volatile.Write(ref _pending, next.Next);
        return true;
    }

    private sealed class Node(SystemMessage message)
    {
        public SystemMessage Message { get; } = message;

        public Node? Next { get; set; }
    }
}
