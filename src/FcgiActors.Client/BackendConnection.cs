using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using FcgiActors.Protocol;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Client;

/// <summary>
/// One connection to a backend: allocates request IDs, keeps the ID → request table, runs the
/// read loop that routes records to requests and the single writer that owns the socket's
/// output. State changes happen under one lock; response streams are written only by the
/// read loop. Starts at one request at a time and multiplexes only after the backend answers
/// FCGI_GET_VALUES with FCGI_MPXS_CONNS=1 (§4.1).
/// </summary>
internal sealed partial class BackendConnection : IAsyncDisposable
{
    private static long s_nextId;

    private readonly object _lock = new();
    private readonly Dictionary<ushort, ClientRequest> _requests = [];
    private readonly Dictionary<ushort, long> _quarantine = [];
    private readonly Channel<OutboundFrame> _outbound =
        Channel.CreateUnbounded<OutboundFrame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IDuplexPipe _transport;
    private readonly IDisposable? _transportOwner;
    private readonly ClientSettings _settings;
    private readonly ILogger _logger;
    private readonly PipeOptions _responseOptions;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _limit = 1;
    private int _reserved;
    private bool _probeDone;
    private bool _cantMpx;
    private bool _closing;
    private bool _isClosed;
    private Exception? _closeReason;
    private long _idleSinceTicks = Environment.TickCount64;

    public BackendConnection(IDuplexPipe transport, IDisposable? transportOwner, BackendAddress backend,
        ClientSettings settings, ILogger logger)
    {
        _transport = transport;
        _transportOwner = transportOwner;
        Backend = backend;
        _settings = settings;
        _logger = logger;
        Id = Interlocked.Increment(ref s_nextId);
        _responseOptions = new PipeOptions(
            pauseWriterThreshold: settings.ResponseBufferSize,
            resumeWriterThreshold: settings.ResponseBufferSize / 2,
            minimumSegmentSize: 32 * 1024,
            useSynchronizationContext: false);
        FcgiInstruments.ConnectionOpened(FcgiComponent.Client);
    }

    public long Id { get; }

    public BackendAddress Backend { get; }

    /// <summary>Raised (outside the lock) when a slot frees up or the connection closes.</summary>
    public event Action<BackendConnection>? CapacityChanged;

    /// <summary>Completes when the connection has closed, for any reason.</summary>
    public Task Closed => _closed.Task;

    public bool IsClosed { get { lock (_lock) { return _isClosed; } } }

    /// <summary>Requests the connection may carry at once: 1 until GET_VALUES says FCGI_MPXS_CONNS=1.</summary>
    public int Limit { get { lock (_lock) { return _limit; } } }

    /// <summary>Active requests plus reserved slots.</summary>
    public int Active { get { lock (_lock) { return _requests.Count + _reserved; } } }

    /// <summary>True when open, with no request and no reservation, since <see cref="IdleFor"/>.</summary>
    public bool IsIdle { get { lock (_lock) { return !_isClosed && _requests.Count + _reserved == 0; } } }

    public TimeSpan IdleFor => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _idleSinceTicks));

    /// <summary>Opens a socket to <paramref name="backend"/> and wraps it.</summary>
    /// <exception cref="SocketException">The connect failed.</exception>
    /// <exception cref="TimeoutException">The connect took longer than the connect timeout.</exception>
    public static async Task<BackendConnection> ConnectAsync(BackendAddress backend, ClientSettings settings,
        ILogger logger, CancellationToken cancellationToken)
    {
        var socket = await ConnectSocketAsync(backend, settings.ConnectTimeout, cancellationToken);
        return FromSocket(socket, backend, settings, logger);
    }

    /// <summary>Wraps a connected socket; the connection owns it from now on.</summary>
    public static BackendConnection FromSocket(Socket socket, BackendAddress backend, ClientSettings settings, ILogger logger)
    {
        var stream = new NetworkStream(socket, ownsSocket: true);
        var transport = new SocketTransport(
            PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 128 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024, leaveOpen: true)));
        return new BackendConnection(transport, stream, backend, settings, logger);
    }

    /// <summary>A connected socket, with Nagle off for TCP (records go out in whole batches).</summary>
    public static async Task<Socket> ConnectSocketAsync(BackendAddress backend, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (family, protocol) = backend.SocketKind();
        var socket = family == AddressFamily.Unspecified
            ? new Socket(SocketType.Stream, ProtocolType.Tcp)
            : new Socket(family, SocketType.Stream, protocol);
        try
        {
            if (!backend.IsUnix)
            {
                socket.NoDelay = true;
            }

            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout);
            try
            {
                await socket.ConnectAsync(backend.ToEndPoint(), cts.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"Connecting to {backend} took longer than {timeout.TotalSeconds:0.###} s.");
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Starts the read loop and the writer; sends the GET_VALUES probe when asked.</summary>
    public void Start(bool probeMultiplexing)
    {
        if (probeMultiplexing)
        {
            var probe = new ArrayBufferWriter<byte>(64);
            GetValues.WriteQuery(probe);
            Enqueue(probe.WrittenSpan.ToArray(), pooled: false);
            _ = WatchProbeAsync();
        }
        else
        {
            lock (_lock)
            {
                _probeDone = true;
            }
        }

        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(WriteLoopAsync);
            _ = Task.Run(ReadLoopAsync);
        }
    }

    /// <summary>Reserves a slot for a request, if the connection is open and below its limit.</summary>
    public bool TryReserve()
    {
        lock (_lock)
        {
            if (_isClosed || _closing || _requests.Count + _reserved >= _limit)
            {
                return false;
            }

            _reserved++;
            return true;
        }
    }

    /// <summary>Gives back a slot reserved with <see cref="TryReserve"/> but not used.</summary>
    public void CancelReservation()
    {
        lock (_lock)
        {
            _reserved--;
        }

        CapacityChanged?.Invoke(this);
    }

    /// <summary>
    /// Sends BEGIN_REQUEST and PARAMS on a slot reserved with <see cref="TryReserve"/> and
    /// starts streaming STDIN (then DATA for a filter). Cancelling <paramref name="cancellationToken"/>
    /// afterwards sends ABORT_REQUEST.
    /// </summary>
    /// <exception cref="FcgiBackendException">The connection closed first (RequestStarted false).</exception>
    public FcgiResponse StartRequest(FcgiClientRequest request, bool keepConnection, CancellationToken cancellationToken)
    {
        ClientRequest state;
        lock (_lock)
        {
            _reserved--;
            if (_isClosed)
            {
                throw new FcgiBackendException($"The connection to {Backend} closed before the request started.",
                    Backend, requestStarted: false, _closeReason);
            }

            state = new ClientRequest(this, AllocateId(), _responseOptions);
            _requests.Add(state.Id, state);
            if (!keepConnection)
            {
                // §5.1: without FCGI_KEEP_CONN the application closes the connection after this request.
                _closing = true;
            }
        }

        var head = new ArrayBufferWriter<byte>(1024);
        RecordWriter.WriteBeginRequest(head, state.Id, request.Role,
            keepConnection ? BeginRequestFlags.KeepConn : BeginRequestFlags.None);
        using (var parameters = new ParamsWriter(head, state.Id))
        {
            foreach (var pair in request.Params)
            {
                parameters.Add(pair.Key.Span, pair.Value.Span);
            }

            parameters.Complete();
        }

        Enqueue(head.WrittenMemory.ToArray(), pooled: false);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("Request {RequestId} started on connection {ConnectionId} to {Backend}", state.Id, Id, Backend);
        }

        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(() => PumpInputAsync(state, request), CancellationToken.None);
        }

        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(static s => ((ClientRequest)s!).Abort(), state);
            state.Completion.ContinueWith(static (_, r) => ((CancellationTokenRegistration)r!).Dispose(), registration,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return new FcgiResponse(state);
    }

    /// <summary>
    /// §5.4: asks the application to end a started request; the request still ends with its
    /// END_REQUEST, or the connection is closed after the abort timeout.
    /// </summary>
    public void Abort(ClientRequest request)
    {
        lock (_lock)
        {
            if (request.Ended || request.AbortSent || _isClosed)
            {
                return;
            }

            request.AbortSent = true;
        }

        request.InputCancellation.Cancel();
        var frame = new byte[FcgiConstants.HeaderLength];
        var writer = new ArrayBufferWriter<byte>(FcgiConstants.HeaderLength);
        RecordWriter.WriteAbortRequest(writer, request.Id);
        writer.WrittenSpan.CopyTo(frame);
        Enqueue(frame, pooled: false);
        _logger.LogDebug("Request {RequestId} on connection {ConnectionId} aborted", request.Id, Id);
        _ = CloseUnlessEndedAsync(request);
    }

    /// <summary>Closes the connection: every request still on it fails.</summary>
    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes the connection: every request still on it fails.</summary>
    public void Close() =>
        Fail(new ObjectDisposedException(nameof(BackendConnection), "The connection was closed by the client."));

    /// <summary>
    /// The lowest free ID: IDs stay small, and an ID is reused only after its END_REQUEST (or
    /// the connection's close). An aborted request's ID rests for the abort timeout after its
    /// END_REQUEST, because Go's net/http/fcgi sends a second END_REQUEST for it.
    /// </summary>
    private ushort AllocateId()
    {
        var now = Environment.TickCount64;
        for (var id = 1; id <= ushort.MaxValue; id++)
        {
            var candidate = (ushort)id;
            if (_requests.ContainsKey(candidate))
            {
                continue;
            }

            if (_quarantine.TryGetValue(candidate, out var until))
            {
                if (until > now)
                {
                    continue;
                }

                _quarantine.Remove(candidate);
            }

            return candidate;
        }

        throw new InvalidOperationException("No free request ID on the connection.");
    }

    private async Task WatchProbeAsync()
    {
        await Task.Delay(_settings.ProbeTimeout).ConfigureAwait(false);
        bool unanswered;
        lock (_lock)
        {
            unanswered = !_probeDone && !_isClosed;
            _probeDone = true;
        }

        if (unanswered)
        {
            _logger.LogDebug("Connection {ConnectionId} to {Backend}: no GET_VALUES_RESULT within {ProbeTimeout}; one request at a time",
                Id, Backend, _settings.ProbeTimeout);
        }
    }

    private async Task CloseUnlessEndedAsync(ClientRequest request)
    {
        await Task.Delay(_settings.AbortTimeout).ConfigureAwait(false);
        bool ended;
        lock (_lock)
        {
            ended = request.Ended;
        }

        if (!ended)
        {
            Fail(new TimeoutException(
                $"Request {request.Id} was aborted and got no END_REQUEST within {_settings.AbortTimeout.TotalSeconds:0.###} s."));
        }
    }

    /// <summary>
    /// A connection error: marks the connection closed, fails every request on it and closes
    /// the transport. The read loop completes the response streams as it exits.
    /// </summary>
    private void Fail(Exception reason)
    {
        ClientRequest[] requests;
        lock (_lock)
        {
            if (_isClosed)
            {
                return;
            }

            _isClosed = true;
            _closeReason = reason;
            requests = [.. _requests.Values];
            foreach (var request in requests)
            {
                request.Ended = true;
            }
        }

        FcgiInstruments.ConnectionClosed(FcgiComponent.Client);
        FcgiInstruments.BackendFailed(FcgiComponent.Client, FcgiBackendError.ConnectionLost, reason is ObjectDisposedException ? 0 : requests.Length);
        if (requests.Length > 0 || reason is not ObjectDisposedException)
        {
            _logger.LogDebug(reason, "Connection {ConnectionId} to {Backend} closed with {Count} active requests",
                Id, Backend, requests.Length);
        }

        foreach (var request in requests)
        {
            request.TrySetException(new FcgiBackendException(
                $"The connection to {Backend} failed before END_REQUEST of request {request.Id}: {reason.Message}",
                Backend, requestStarted: true, reason));
            request.InputCancellation.Cancel();
            request.Stdout.Writer.CancelPendingFlush();
            request.Stderr.Writer.CancelPendingFlush();
        }

        _outbound.Writer.TryComplete();
        _transport.Input.CancelPendingRead();
        _transportOwner?.Dispose();
        _closed.TrySetResult();
        CapacityChanged?.Invoke(this);
    }

    private sealed class SocketTransport(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
