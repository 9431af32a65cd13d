using FcgiActors.Actors;
using Microsoft.Extensions.Logging;
using static FcgiActors.Client.BackendConnectionActor;

namespace FcgiActors.Client;

/// <summary>The connection set: spawning, opening, failing to connect, closing, and the pool's view of each.</summary>
internal sealed partial class BackendPoolActor
{
    private enum State
    {
        Connecting,
        Open,
        Draining,
        BackingOff,
        Stopping,
    }

    private void SpawnConnection()
    {
        var pool = Self;
        var (address, settings, connect, logger, queue) = (_address, _settings, _connect, _connectionLogger, _queue);
        var child = Context.ActorOf(
            Props.Create(() => new BackendConnectionActor(address, settings, pool, connect, logger, queue)),
            $"connection-{++_spawned}");
        Context.Watch(child);
        _connections[child] = new Entry(child);
    }

    private void OnOpened(ConnectionOpened opened)
    {
        if (!_connections.TryGetValue(opened.Connection, out var entry))
        {
            return;
        }

        entry.State = State.Open;
        entry.Limit = opened.Limit;
        entry.IdleSinceTicks = Environment.TickCount64;
        _failedConnects = 0;
        Publish();
        DrainQueue();
    }

    private void OnConnectFailed(ConnectFailed failed)
    {
        if (!_connections.TryGetValue(failed.Connection, out var entry))
        {
            return;
        }

        if (Census().BackingOff > 0 && entry.State != State.BackingOff)
        {
            // One connection retrying with backoff is enough to learn when the backend is back.
            entry.State = State.Stopping;
            Context.Stop(failed.Connection);
        }
        else
        {
            entry.State = State.BackingOff;
            _failedConnects++;
            var exponent = Math.Min(_failedConnects - 1, 30);
            var backoff = TimeSpan.FromTicks((long)Math.Min(_settings.ReconnectMinBackoff.Ticks * (double)(1L << exponent), _settings.ReconnectMaxBackoff.Ticks));
            _nextAttemptTicks = Environment.TickCount64 + (long)backoff.TotalMilliseconds;
            _logger.LogWarning("Connecting to {Backend} failed ({Error}); next attempt in {Backoff}", _address, failed.Error.Message, backoff);
        }

        Publish();
        var (open, connecting, _) = Census();
        if (open + connecting == 0)
        {
            FailQueued(new FcgiBackendException($"Could not connect to {_address}: {failed.Error.Message}", _address,
                requestStarted: false, failed.Error));
        }
    }

    private void OnTerminated(Terminated terminated)
    {
        if (!_connections.Remove(terminated.ActorRef, out var entry))
        {
            return;
        }

        Publish();
        // Sent to the connection but never read by it: nothing of them was sent anywhere.
        foreach (var request in entry.InFlight)
        {
            if (!request.Claimed)
            {
                Dispatch(request, front: true);
            }
        }

        if (_shutdownReplyTo is not null)
        {
            if (_connections.Count == 0)
            {
                _shutdownReplyTo.Tell(ShutdownCompleted.Instance);
                Context.Stop(Self);
            }

            return;
        }

        DrainQueue();
        if (_queue.Count > 0 && Census() is { Open: 0, Connecting: 0 } census)
        {
            if (census.BackingOff == 0)
            {
                SpawnConnection();
            }
            else
            {
                FailQueued(new FcgiBackendException($"{_address} is unreachable.", _address, requestStarted: false));
            }
        }
    }

    private void CloseIdleConnections()
    {
        var now = Environment.TickCount64;
        foreach (var entry in _connections.Values)
        {
            if (entry.State == State.Open && entry.Active == 0 && now - entry.IdleSinceTicks >= (long)_settings.IdleTimeout.TotalMilliseconds)
            {
                _logger.LogDebug("A connection to {Backend} was idle for {IdleTimeout}; closing", _address, _settings.IdleTimeout);
                entry.State = State.Draining;
                entry.Ref.Tell(CloseConnection.Instance, Self);
            }
        }

        // Callers that gave up while queued leave their place.
        _queue.RemoveDone();
    }

    private (int Open, int Connecting, int BackingOff) Census()
    {
        int open = 0, connecting = 0, backingOff = 0;
        foreach (var entry in _connections.Values)
        {
            switch (entry.State)
            {
                case State.Open:
                    open++;
                    break;
                case State.Connecting:
                    connecting++;
                    break;
                case State.BackingOff:
                    backingOff++;
                    break;
            }
        }

        return (open, connecting, backingOff);
    }

    private void Publish()
    {
        var (open, _, backingOff) = Census();
        var draining = _connections.Values.Count(e => e.State == State.Draining);
        _status.OpenConnections = open + draining;
        _status.IsHealthy = backingOff == 0;
    }

    /// <summary>The pool's view of one child connection.</summary>
    private sealed class Entry(IActorRef connection)
    {
        public IActorRef Ref { get; } = connection;

        public State State { get; set; } = State.Connecting;

        public int Limit { get; set; } = 1;

        public int Active { get; set; }

        /// <summary>Requests sent to the connection and not yet finished.</summary>
        public HashSet<PendingRequest> InFlight { get; } = [];

        public long IdleSinceTicks { get; set; } = Environment.TickCount64;
    }
}
