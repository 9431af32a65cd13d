using FcgiActors.Actors;
using Microsoft.Extensions.Logging;
using static FcgiActors.Client.BackendConnectionActor;

namespace FcgiActors.Client;

/// <summary>
/// The connections to one backend, as an actor (DESIGN.md: BackendPoolActor). It owns the
/// connection set (children, at most <see cref="ClientSettings.MaxConnectionsPerBackend"/>),
/// picks the least busy connection with a free slot, keeps the bounded wait queue, moves a
/// request whose connection died before sending it to another one, and closes idle kept
/// connections. Reconnecting is supervision: a child that cannot connect fails and is restarted
/// with exponential backoff (<see cref="BackoffOptions"/>); meanwhile requests that no open
/// connection can take fail fast and <see cref="BackendPool.IsHealthy"/> is false.
/// </summary>
internal sealed partial class BackendPoolActor : ReceiveActor
{
    /// <summary>Connections a request may lose before any byte of it was sent, before it fails.</summary>
    public const int MaxStartAttempts = 3;

    private readonly BackendAddress _address;
    private readonly ClientSettings _settings;
    private readonly BackendPoolStatus _status;
    private readonly BackendConnector _connect;
    private readonly ILogger _logger;
    private readonly ILogger _connectionLogger;
    private readonly Dictionary<IActorRef, Entry> _connections = [];
    private readonly WaitQueue _queue = new();
    private int _spawned;
    private int _failedConnects;
    private long _nextAttemptTicks;
    private IActorRef? _shutdownReplyTo;

    public BackendPoolActor(BackendAddress address, ClientSettings settings, BackendPoolStatus status, BackendConnector connect, ILoggerFactory loggerFactory)
    {
        _address = address;
        _settings = settings;
        _status = status;
        _connect = connect;
        _logger = loggerFactory.CreateLogger<BackendPool>();
        _connectionLogger = loggerFactory.CreateLogger<BackendConnection>();

        Receive<SendRequest>(send => Dispatch(send.Request, front: false));
        Receive<ConnectionOpened>(OnOpened);
        Receive<ConnectFailed>(OnConnectFailed);
        Receive<LimitChanged>(changed =>
        {
            if (_connections.TryGetValue(changed.Connection, out var entry))
            {
                entry.Limit = changed.Limit;
                DrainQueue();
            }
        });
        Receive<RequestFinished>(OnFinished);
        Receive<StartRejected>(rejected =>
        {
            Release(rejected.Connection, rejected.Request);
            Dispatch(rejected.Request, front: true);
        });
        Receive<StartWithdrawn>(OnWithdrawn);
        Receive<Terminated>(OnTerminated);
        Receive<SweepIdle>(_ => CloseIdleConnections());
        Receive<Shutdown>(_ => OnShutdown());
    }

    /// <summary>
    /// A child that cannot connect is restarted (the next attempt) after a doubling backoff;
    /// anything else stops it. A child restarts only while it fails to connect — once connected,
    /// a connection error stops it for good — so its count never needs a time-based reset.
    /// Connect failures are logged here (Warning, with the backoff), not again by the kernel.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(
            Decider.From(Directive.Stop, (typeof(BackendConnectException), Directive.Restart)),
            backoff: new BackoffOptions(_settings.ReconnectMinBackoff, _settings.ReconnectMaxBackoff, ResetAfter: TimeSpan.FromDays(1)),
            loggingEnabled: false);

    protected override void PreStart()
    {
        var sweep = TimeSpan.FromMilliseconds(Math.Clamp(_settings.IdleTimeout.TotalMilliseconds / 4, 50, 5000));
        Context.Timers.StartPeriodicTimer(SweepIdle.Instance, SweepIdle.Instance, sweep);
    }

    protected override void PostStop()
    {
        FailQueued(new ObjectDisposedException(nameof(BackendPool)));
        // The children are gone; what they handed back after this actor began stopping never
        // arrived. A request that had not started yet fails here (a started one already has).
        foreach (var entry in _connections.Values)
        {
            foreach (var request in entry.InFlight)
            {
                request.TryFail(new FcgiBackendException($"The pool for {_address} stopped before the request was sent.",
                    _address, requestStarted: false));
            }
        }

        _status.OpenConnections = 0;
    }

    private void Dispatch(PendingRequest request, bool front)
    {
        if (request.IsDone)
        {
            return; // cancelled while on its way
        }

        if (_shutdownReplyTo is not null)
        {
            request.TryFail(new ObjectDisposedException(nameof(BackendPool)));
            return;
        }

        if (TryAssign(request))
        {
            return;
        }

        var (open, connecting, backingOff) = Census();
        if (backingOff > 0 && open + connecting == 0)
        {
            var wait = Math.Max(0, _nextAttemptTicks - Environment.TickCount64);
            request.TryFail(new FcgiBackendException(
                $"{_address} is unreachable; the next connect attempt is in {wait} ms.", _address, requestStarted: false));
            return;
        }

        if (backingOff == 0 && _connections.Count < _settings.MaxConnectionsPerBackend)
        {
            // It waits for the connection it causes, outside the queue's bound (as a caller of connect would).
            SpawnConnection();
            Enqueue(request, front);
            return;
        }

        if (_queue.Count >= _settings.MaxQueuedRequests)
        {
            request.TryFail(new FcgiBackendException(
                $"{_address}: all {_settings.MaxConnectionsPerBackend} connections are busy and {_queue.Count} requests are queued.",
                _address, requestStarted: false));
            return;
        }

        Enqueue(request, front);
    }

    /// <summary>The least busy open connection with a free slot takes the request.</summary>
    private bool TryAssign(PendingRequest request)
    {
        if (LeastBusyFree() is not { } best)
        {
            return false;
        }

        SendTo(best, request);
        return true;
    }

    private void SendTo(Entry entry, PendingRequest request)
    {
        Count(entry, request);
        entry.Ref.Tell(new StartRequest(request), Self);
    }

    private Entry? LeastBusyFree()
    {
        Entry? best = null;
        foreach (var entry in _connections.Values)
        {
            if (entry.State == State.Open && entry.Active < entry.Limit && (best is null || entry.Active < best.Active))
            {
                best = entry;
            }
        }

        return best;
    }

    /// <summary>The pool's view of a request on a connection: sent by the pool, or taken from the queue by the connection.</summary>
    private static void Count(Entry entry, PendingRequest request)
    {
        entry.Active++;
        entry.InFlight.Add(request);
        if (!request.KeepConnection)
        {
            entry.State = State.Draining; // §5.1: the application closes it after this request
        }
    }

    private void Enqueue(PendingRequest request, bool front)
    {
        if (front)
        {
            _queue.AddFirst(request);
        }
        else
        {
            _queue.AddLast(request);
        }
    }

    private void DrainQueue()
    {
        // Only while some slot is free: a request taken from the queue always has a place.
        while (LeastBusyFree() is { } best && _queue.TryTake(out var request))
        {
            SendTo(best, request);
        }
    }

    private void OnFinished(RequestFinished finished)
    {
        var entry = Release(finished.Connection, finished.Request);
        if (entry is not null && !finished.Reusable && entry.State == State.Open)
        {
            entry.State = State.Draining;
        }

        if (finished.Next is { } next && entry is not null)
        {
            Count(entry, next); // the connection took the head of the queue for the slot it freed (WaitQueue)
        }

        DrainQueue();
    }

    private void OnWithdrawn(StartWithdrawn withdrawn)
    {
        if (Release(withdrawn.Connection, withdrawn.Request) is { } entry)
        {
            entry.State = State.Draining; // it is closing
        }

        var request = withdrawn.Request;
        request.FailedStarts++;
        if (request.FailedStarts >= MaxStartAttempts || _shutdownReplyTo is not null)
        {
            request.TryFail(new FcgiBackendException(
                $"The connection to {_address} closed before the request was sent ({request.FailedStarts} attempts): {withdrawn.Reason.Message}",
                _address, requestStarted: false, withdrawn.Reason));
            return;
        }

        _logger.LogDebug("A connection to {Backend} closed before the request was sent ({Reason}); retrying", _address, withdrawn.Reason.Message);
        Dispatch(request, front: true);
    }

    private void OnShutdown()
    {
        _shutdownReplyTo = Sender;
        FailQueued(new ObjectDisposedException(nameof(BackendPool)));
        if (_connections.Count == 0)
        {
            Sender.Tell(ShutdownCompleted.Instance);
            Context.Stop(Self);
            return;
        }

        foreach (var child in _connections.Keys)
        {
            Context.Stop(child); // a Stop wins over a pending backoff restart
        }
    }

    private Entry? Release(IActorRef connection, PendingRequest request)
    {
        if (!_connections.TryGetValue(connection, out var entry) || !entry.InFlight.Remove(request))
        {
            return null;
        }

        entry.Active--;
        if (entry.Active == 0)
        {
            entry.IdleSinceTicks = Environment.TickCount64;
        }

        return entry;
    }

    private void FailQueued(Exception error)
    {
        foreach (var request in _queue.TakeAll())
        {
            request.TryFail(error);
        }
    }
}
