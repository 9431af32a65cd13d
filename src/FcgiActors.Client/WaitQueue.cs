namespace FcgiActors.Client;

/// <summary>
/// The requests of one pool waiting for a free connection slot, first come first served. The
/// pool actor owns it (it admits, bounds, re-queues at the front and fails what waits); its
/// connection actors may only take the head, and only at the moment one of their own slots
/// frees up. That hand-off is the point: a connection that reads END_REQUEST starts the next
/// waiting request in the same turn, instead of telling the pool and waiting for the pool to
/// tell it back — two mailbox hops during which a one-request-at-a-time backend (libfcgi,
/// PHP-FPM) sits idle. The pattern is Akka's balancing dispatcher: workers share the queue of
/// work, so a request never waits behind a busy connection while another is free.
/// </summary>
internal sealed class WaitQueue
{
    private readonly LinkedList<PendingRequest> _requests = new();
    private readonly Lock _lock = new();

    /// <summary>Waiting requests, including ones whose callers already gave up.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _requests.Count;
            }
        }
    }

    public void AddLast(PendingRequest request)
    {
        lock (_lock)
        {
            _requests.AddLast(request);
        }
    }

    /// <summary>A request that lost its connection before it was sent goes back ahead of the rest.</summary>
    public void AddFirst(PendingRequest request)
    {
        lock (_lock)
        {
            _requests.AddFirst(request);
        }
    }

    /// <summary>The oldest request whose caller still waits; the ones that gave up are dropped on the way.</summary>
    public bool TryTake(out PendingRequest request)
    {
        lock (_lock)
        {
            while (_requests.First is { } first)
            {
                _requests.RemoveFirst();
                if (!first.Value.IsDone)
                {
                    request = first.Value;
                    return true;
                }
            }
        }

        request = null!;
        return false;
    }

    /// <summary>Empties the queue, returning what waited (to be failed by the owner).</summary>
    public List<PendingRequest> TakeAll()
    {
        lock (_lock)
        {
            var all = new List<PendingRequest>(_requests);
            _requests.Clear();
            return all;
        }
    }

    /// <summary>Drops the requests whose callers gave up (cancelled while waiting).</summary>
    public void RemoveDone()
    {
        lock (_lock)
        {
            for (var node = _requests.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.IsDone)
                {
                    _requests.Remove(node);
                }

                node = next;
            }
        }
    }
}
