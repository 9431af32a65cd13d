using System.Buffers;
using System.Net;
using System.Net.Sockets;
using FcgiActors.Protocol;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Responder.Connections;

/// <summary>
/// One accepted connection: the read loop (records in, STDIN copied straight into each
/// request's pipe), the <see cref="ConnectionWriter"/> (records out), and the request table.
/// The table belongs to the read loop; the writer and the heartbeat only flip flags on a
/// request and take the table lock to look.
/// </summary>
internal sealed partial class FcgiConnection
{
    /// <summary>The receive buffer of most connections: small records, below the large-object heap.</summary>
    private const int SmallReadBufferSize = 16 * 1024;

    /// <summary>Holds any whole record (≤ 65,798 bytes) with room for more: for bodies in big records.</summary>
    private const int LargeReadBufferSize = 128 * 1024;

    private readonly Socket _socket;
    private readonly ServerContext _server;
    private readonly ResponderSettings _settings;
    private readonly IConnectionOwner _owner;
    private readonly ILogger _logger;
    private readonly Dictionary<ushort, RequestState> _requests = new();
    private readonly long _acceptedTicks = Environment.TickCount64;
    private int _active;
    private long _lastActivityTicks = Environment.TickCount64;
    private long _outputClosedTicks;
    private volatile bool _firstRecordSeen;
    private volatile bool _closeRequested;
    private volatile bool _outputClosed;
    private int _aborted;
    private volatile bool _connectionLost; // requests ended by the connection's end count as aborted, not failed
    private bool _largeRecordsSeen; // read loop only

    public FcgiConnection(Socket socket, string id, ServerContext server, IConnectionOwner owner)
    {
        _socket = socket;
        Id = id;
        _server = server;
        _settings = server.Settings;
        _owner = owner;
        _logger = server.ConnectionLogger;
        RemoteEndPoint = SafeRemoteEndPoint(socket);
        Writer = new ConnectionWriter(socket, this, _settings, _logger);
    }

    public string Id { get; }

    public EndPoint? RemoteEndPoint { get; }

    public ConnectionWriter Writer { get; }

    public ServerContext Server => _server;

    /// <summary>Requests from BEGIN_REQUEST until their END_REQUEST is written.</summary>
    public int ActiveRequests => Volatile.Read(ref _active);

    /// <summary>Runs both loops until the connection is finished; never throws.</summary>
    public async Task RunAsync()
    {
        Exception? error = null;
        FcgiInstruments.ConnectionOpened(FcgiComponent.Responder);
        // The writer runs synchronously up to its first wait on the empty channel: no thread hop.
        var writer = Writer.RunAsync();

        try
        {
            await ReadLoopAsync();
        }
        catch (FcgiConnectionException e)
        {
            error = e;
            _logger.LogWarning("Connection {ConnectionId} protocol error, closing: {Reason}", Id, e.Message);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            if (!_outputClosed && Volatile.Read(ref _aborted) == 0)
            {
                _logger.LogDebug("Connection {ConnectionId} read failed: {Reason}", Id, e.Message);
            }
        }
        catch (Exception e)
        {
            error = e;
            _logger.LogError(e, "Connection {ConnectionId} failed", Id);
        }

        // The peer is gone (or broke the protocol): every request still on it ends now (§3.3
        // connection error scope), handlers are cancelled, their output is dropped.
        AbortRequests(error is null ? "connection closed by the peer" : error.Message);
        Writer.Complete();
        try
        {
            await writer;
        }
        catch (Exception e)
        {
            _logger.LogDebug("Connection {ConnectionId} writer ended with {Reason}", Id, e.Message);
        }

        CloseSocket();
        FcgiInstruments.ConnectionClosed(FcgiComponent.Responder);
        _owner.ConnectionClosed(this, error);
    }

    /// <summary>Graceful close: no new requests; close once the active ones have ended.</summary>
    public void RequestClose()
    {
        _closeRequested = true;
        Writer.Wake();
    }

    /// <summary>Hard close: cancel every request and close the socket now.</summary>
    public void Abort(string reason)
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        _logger.LogDebug("Connection {ConnectionId} aborted: {Reason}", Id, reason);
        AbortRequests(reason);
        CloseSocket();
    }

    /// <summary>Called once a second by the server heartbeat: the timeouts of §"Limits worth having".</summary>
    public void OnHeartbeat(long now)
    {
        if (_outputClosed)
        {
            if (now - Volatile.Read(ref _outputClosedTicks) > (long)_settings.CloseDrainTimeout.TotalMilliseconds)
            {
                Abort("close drain timeout");
            }

            return;
        }

        if (!_firstRecordSeen)
        {
            if (now - _acceptedTicks > (long)_settings.FirstRecordTimeout.TotalMilliseconds)
            {
                _logger.LogDebug("Connection {ConnectionId} sent no record within {Timeout}", Id, _settings.FirstRecordTimeout);
                Abort("first record timeout");
            }

            return;
        }

        if (ActiveRequests == 0)
        {
            if (now - Volatile.Read(ref _lastActivityTicks) > (long)_settings.IdleTimeout.TotalMilliseconds)
            {
                _logger.LogDebug("Connection {ConnectionId} idle for {Timeout}, closing", Id, _settings.IdleTimeout);
                RequestClose();
            }

            return;
        }

        CheckRequestTimeouts(now);
    }

    /// <summary>The writer asks after each batch whether to shut the output down.</summary>
    public bool ShouldCloseOutput() => _closeRequested && ActiveRequests == 0;

    /// <summary>The writer sent FIN: drain the input for a bounded time, then close.</summary>
    public void OnOutputClosed()
    {
        Volatile.Write(ref _outputClosedTicks, Environment.TickCount64);
        _outputClosed = true;
        if (_settings.CloseDrainTimeout == TimeSpan.Zero)
        {
            Abort("closed");
        }
    }

    public void OnWriteFailed(Exception error) => Abort(error.Message);

    /// <summary>The writer sent END_REQUEST (or the socket died first).</summary>
    public void OnRequestEnded(RequestState request)
    {
        if (request.HoldsServerSlot)
        {
            _server.ReleaseRequestSlot();
        }

        // Forget it now rather than when its ID is reused: a kept-alive idle connection then
        // holds no request memory (pipes, params).
        lock (_requests)
        {
            if (_requests.TryGetValue(request.Id, out var current) && ReferenceEquals(current, request))
            {
                _requests.Remove(request.Id);
            }
        }

        FcgiInstruments.RequestEnded(FcgiComponent.Responder, FcgiInstruments.ResponderOutcome(request.ProtocolStatus, request.AppStatus, request.DiscardOutput, _connectionLost));
        Volatile.Write(ref _lastActivityTicks, Environment.TickCount64);
        if (Interlocked.Decrement(ref _active) == 0 && _closeRequested)
        {
            Writer.Wake();
        }
    }

    private void AbortRequests(string reason)
    {
        _connectionLost = true;
        RequestState[] live;
        lock (_requests)
        {
            live = _requests.Values.Where(r => !r.IsEnded).ToArray();
        }

        foreach (var request in live)
        {
            request.TryBeginEnd(1, ProtocolStatus.RequestComplete, discard: true);
            if (request.HandlerStarted)
            {
                _owner.AbortReceived(request);
            }
        }

        _ = reason;
    }

    private void CheckRequestTimeouts(long now)
    {
        RequestState[] live;
        lock (_requests)
        {
            live = _requests.Values.Where(r => !r.IsEnding).ToArray();
        }

        foreach (var request in live)
        {
            if (!request.ParamsComplete)
            {
                if (now - request.BeganTicks > (long)_settings.ParamsTimeout.TotalMilliseconds)
                {
                    _logger.LogInformation("Connection {ConnectionId} request {RequestId} PARAMS not complete within {Timeout}", Id, request.Id, _settings.ParamsTimeout);
                    FailRequest(request, "PARAMS timeout");
                }

                continue;
            }

            // Minimum body rate: a client trickling STDIN holds a handler and its memory. Time
            // the handler is the one not reading (window full) is not held against the client.
            if (_settings.MinBodyRate > 0 && !request.StdinClosed && !request.InputPaused && request.StdinStartedTicks != 0)
            {
                var elapsed = now - request.StdinStartedTicks;
                if (elapsed > (long)_settings.MinBodyRateGracePeriod.TotalMilliseconds
                    && Volatile.Read(ref request.StdinBytes) * 1000 / Math.Max(elapsed, 1) < _settings.MinBodyRate)
                {
                    _logger.LogInformation("Connection {ConnectionId} request {RequestId} body slower than {Rate} bytes/s", Id, request.Id, _settings.MinBodyRate);
                    FailRequest(request, "minimum body rate");
                }
            }
        }
    }

    /// <summary>A request error: that request ends with appStatus 1, the connection goes on.</summary>
    private void FailRequest(RequestState request, string reason)
    {
        if (request.TryBeginEnd(1, ProtocolStatus.RequestComplete, discard: true) && request.HandlerStarted)
        {
            _owner.AbortReceived(request);
        }

        _ = reason;
    }

    private void CloseSocket()
    {
        try
        {
            _socket.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static EndPoint? SafeRemoteEndPoint(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
