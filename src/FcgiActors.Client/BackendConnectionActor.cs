using System.Buffers;
using System.IO.Pipelines;
using FcgiActors.Actors;
using FcgiActors.Protocol;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Client;

/// <summary>
/// One connection to a backend, as an actor (DESIGN.md: BackendConnectionActor). It connects,
/// then owns request-ID allocation, the ID → request table, the quarantine of aborted IDs, the
/// GET_VALUES probe and the connection's request limit. States: Connecting → Open → stopped.
/// A failed connect fails the actor, so its supervisor (the pool) restarts it with backoff.
/// Per-record traffic bypasses the mailbox: <see cref="BackendConnection"/> reads records into
/// the response pipes and writes the outbound queue; only per-request events come here.
/// </summary>
internal sealed partial class BackendConnectionActor : ReceiveActor
{
    private static long s_nextId;

    private readonly BackendAddress _backend;
    private readonly ClientSettings _settings;
    private readonly IActorRef _pool;
    private readonly BackendConnector _connect;
    private readonly ILogger _logger;
    private readonly RequestTable _requests = new();
    private readonly Dictionary<ushort, long> _quarantine = [];
    private readonly PipeOptions _responseOptions;
    private readonly WaitQueue? _waiting;
    private CancellationTokenSource? _connecting;
    private BackendConnection? _io;
    private int _limit = 1;
    private bool _probing;
    private bool _cantMpx;
    private bool _closing;
    private bool _failed;

    /// <param name="waiting">The pool's wait queue, whose head this connection takes when a slot of its own frees up; none in tests that drive the actor alone.</param>
    public BackendConnectionActor(BackendAddress backend, ClientSettings settings, IActorRef pool, BackendConnector connect, ILogger logger,
        WaitQueue? waiting = null)
    {
        _waiting = waiting;
        _backend = backend;
        _settings = settings;
        _pool = pool;
        _connect = connect;
        _logger = logger;
        _responseOptions = new PipeOptions(
            pauseWriterThreshold: settings.ResponseBufferSize,
            resumeWriterThreshold: settings.ResponseBufferSize / 2,
            minimumSegmentSize: 32 * 1024,
            useSynchronizationContext: false);
        Become(Connecting);
    }

    /// <summary>The plain socket connector for <paramref name="backend"/>.</summary>
    public static BackendConnector SocketConnector(BackendAddress backend, TimeSpan timeout) => async ct =>
    {
        var socket = await BackendConnection.ConnectSocketAsync(backend, timeout, ct).ConfigureAwait(false);
        var (transport, owner) = BackendConnection.FromSocket(socket);
        return (transport, owner);
    };

    protected override void PreStart()
    {
        var connecting = _connecting = new CancellationTokenSource();
        _ = ConnectAsync(Self, _connect, connecting);
    }

    /// <summary>Connects off the mailbox and tells the outcome; a result for a stopped incarnation is closed.</summary>
    private static async Task ConnectAsync(IActorRef self, BackendConnector connect,
        CancellationTokenSource connecting)
    {
        (IDuplexPipe Transport, IDisposable? Owner) connected;
        try
        {
            connected = await connect(connecting.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            self.Tell(new ConnectAttemptFailed(ex is OperationCanceledException ? new OperationCanceledException("The connect was cancelled.") : ex));
            return;
        }

        if (connecting.IsCancellationRequested)
        {
            connected.Owner?.Dispose(); // this incarnation stopped meanwhile
            return;
        }

        self.Tell(new TransportConnected(connected.Transport, connected.Owner));
    }

    protected override void PostStop()
    {
        _connecting?.Cancel();
        if (_io is not null)
        {
            Fail(new ObjectDisposedException(nameof(BackendConnection), "The connection was closed by the client."), stop: false);
        }
    }

    private void Connecting()
    {
        Receive<TransportConnected>(OnConnected);
        Receive<ConnectAttemptFailed>(failed =>
        {
            FcgiInstruments.BackendFailed(FcgiComponent.Client, FcgiBackendError.Connect);
            _pool.Tell(new ConnectFailed(Self, failed.Error));
            throw new BackendConnectException($"Could not connect to {_backend}: {failed.Error.Message}", failed.Error);
        });
        Receive<StartRequest>(start =>
        {
            start.Request.Claim();
            _pool.Tell(new StartRejected(Self, start.Request));
        });
        Receive<CloseConnection>(_ => Context.Stop(Self));
    }

    private void Open()
    {
        Receive<StartRequest>(OnStart);
        Receive<AbortRequest>(OnAbort);
        Receive<RequestEnded>(OnEnded);
        Receive<ManagementValuesReceived>(OnManagementValues);
        Receive<ProbeTimedOut>(_ =>
        {
            if (_probing)
            {
                _probing = false;
                _logger.LogDebug("Connection {ConnectionId} to {Backend}: no GET_VALUES_RESULT within {ProbeTimeout}; one request at a time",
                    _io!.Id, _backend, _settings.ProbeTimeout);
            }
        });
        Receive<AbortTimedOut>(timedOut =>
        {
            if (ReferenceEquals(_requests.Get(timedOut.Request.Id), timedOut.Request))
            {
                Fail(new TimeoutException(
                    $"Request {timedOut.Request.Id} was aborted and got no END_REQUEST within {_settings.AbortTimeout.TotalSeconds:0.###} s."));
            }
        });
        Receive<TransportFailed>(failed => Fail(failed.Reason));
        Receive<CloseConnection>(_ => Fail(new ObjectDisposedException(nameof(BackendConnection), "The connection was closed by the client.")));
    }

    private void OnConnected(TransportConnected connected)
    {
        _io = new BackendConnection(Interlocked.Increment(ref s_nextId), connected.Transport, connected.Owner, _backend, _requests, Self, _logger);
        FcgiInstruments.ConnectionOpened(FcgiComponent.Client);
        if (_settings.AssumeMultiplexing)
        {
            // Configured as multiplexing (our responder, Go): no probe, the full limit at once.
            _limit = _settings.MaxRequestsPerConnection;
        }
        else if (_settings.ProbeMultiplexing)
        {
            // §4.1: ask; until an answer says FCGI_MPXS_CONNS=1 the connection carries one request.
            var query = new ArrayBufferWriter<byte>(64);
            GetValues.WriteQuery(query);
            _io.Send(query.WrittenSpan.ToArray());
            _probing = true;
            Context.Timers.StartSingleTimer(ProbeTimedOut.Instance, ProbeTimedOut.Instance, _settings.ProbeTimeout);
        }

        _io.Start();
        Become(Open);
        _logger.LogDebug("Connection {ConnectionId} to {Backend} opened", _io.Id, _backend);
        _pool.Tell(new ConnectionOpened(Self, _limit));
    }

    private void OnManagementValues(ManagementValuesReceived received)
    {
        _probing = false;
        Context.Timers.Cancel(ProbeTimedOut.Instance);
        var values = received.Values;
        // A late answer is still honoured; FCGI_CANT_MPX_CONN seen earlier wins for good.
        if (values.MpxsConns != true || _limit > 1 || _cantMpx)
        {
            return;
        }

        var limit = _settings.MaxRequestsPerConnection;
        if (values.MaxReqs is > 0 and var max)
        {
            limit = Math.Min(limit, max);
        }

        if (limit > 1)
        {
            _limit = limit;
            _pool.Tell(new LimitChanged(Self, _limit));
        }
    }

    /// <summary>
    /// A connection error: the transport closes; a request whose head never left the queue is
    /// handed back to the pool (nothing was sent); every other one fails with RequestStarted.
    /// </summary>
    private void Fail(Exception reason, bool stop = true)
    {
        if (_failed)
        {
            return;
        }

        _failed = true;
        _io!.Close(reason);
        var requests = _requests.Snapshot();
        if (requests.Count > 0 || reason is not ObjectDisposedException)
        {
            _logger.LogDebug(reason, "Connection {ConnectionId} to {Backend} closed with {Count} active requests",
                _io.Id, _backend, requests.Count);
        }

        var lost = 0;
        foreach (var request in requests)
        {
            if (request.Ended)
            {
                request.TrySetResult(request.EndBody); // its END_REQUEST came; the news had not reached us
                continue;
            }

            if (request.TryWithdraw())
            {
                _pool.Tell(new StartWithdrawn(Self, request.Pending, reason));
                continue;
            }

            var error = new FcgiBackendException(
                $"The connection to {_backend} failed before END_REQUEST of request {request.Id}: {reason.Message}",
                _backend, requestStarted: true, reason);
            lost++;
            request.FailHead(error);
            request.TrySetException(error);
            request.InputCancellation.Cancel();
            request.Stdout.Writer.CancelPendingFlush();
            request.Stderr.Writer.CancelPendingFlush();
        }

        FcgiInstruments.ConnectionClosed(FcgiComponent.Client);
        if (reason is not ObjectDisposedException)
        {
            FcgiInstruments.BackendFailed(FcgiComponent.Client, FcgiBackendError.ConnectionLost, lost);
        }

        if (stop)
        {
            Context.Stop(Self);
        }
    }
}
