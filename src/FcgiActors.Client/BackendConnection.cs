using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using FcgiActors.Actors;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Client;

/// <summary>
/// The byte side of one backend connection, driven by its <see cref="BackendConnectionActor"/>:
/// the read loop that parses records and writes STDOUT/STDERR straight into the requests'
/// response pipes, and the single writer that drains the outbound queue and flushes once per
/// batch. Per-record work never goes through a mailbox; per-request events (END_REQUEST,
/// management answers, failure) are told to the actor, which owns every decision.
/// </summary>
internal sealed partial class BackendConnection
{
    // The writer wakes on the thread pool, never inline on the thread that queued a frame: inline,
    // a body pump would write its records itself before queuing the last, empty STDIN record,
    // widening the window in which a backend that answers once it has CONTENT_LENGTH bytes ends
    // the request first — and the connection is then not kept (BackendConnectionActor.OnEnded).
    private readonly Channel<OutboundFrame> _outbound =
        Channel.CreateUnbounded<OutboundFrame>(new UnboundedChannelOptions { SingleReader = true });

    // The right to write to the transport: the writer holds it while it drains and flushes a
    // batch, and SendHead takes it to write a head at once when nothing is queued. One writer
    // at a time, in queue order: a head goes out directly only behind everything queued before it.
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private bool _outputCompleted; // under _writeLock
    private readonly IDuplexPipe _transport;
    private readonly IDisposable? _transportOwner;
    private readonly RequestTable _requests;
    private readonly IActorRef _actor;
    private readonly ILogger _logger;
    private int _closed;
    private Exception? _closeReason;

    public BackendConnection(long id, IDuplexPipe transport, IDisposable? transportOwner, BackendAddress backend,
        RequestTable requests, IActorRef actor, ILogger logger)
    {
        Id = id;
        _transport = transport;
        _transportOwner = transportOwner;
        Backend = backend;
        _requests = requests;
        _actor = actor;
        _logger = logger;
    }

    public long Id { get; }

    public BackendAddress Backend { get; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Wraps a connected socket as a transport; disposing the owner closes the socket.</summary>
    public static (IDuplexPipe Transport, IDisposable Owner) FromSocket(Socket socket)
    {
        var stream = new NetworkStream(socket, ownsSocket: true);
        var transport = new SocketTransport(
            PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 128 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024, leaveOpen: true)));
        return (transport, stream);
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
                await socket.ConnectAsync(backend.ToEndPoint(), cts.Token).ConfigureAwait(false);
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

    /// <summary>Starts the read loop and the writer, outside any actor's execution context.</summary>
    public void Start()
    {
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(WriteLoopAsync);
            _ = Task.Run(ReadLoopAsync);
        }
    }

    /// <summary>Queues whole records that nobody waits for (management records, ABORT_REQUEST).</summary>
    public void Send(byte[] records) => Enqueue(records, records.Length, pooled: false, trackWritten: false);

    /// <summary>
    /// Sends a request's head frame: written on this thread when the writer is idle and nothing
    /// is queued (see <see cref="TryWriteHeadNow"/>), else queued for the writer. Either way the
    /// head is claimed before its first byte is written (<see cref="ClientRequest.TryClaimHead"/>).
    /// </summary>
    public void SendHead(ClientRequest request, byte[] records, int length)
    {
        var frame = new OutboundFrame(records, length, pooled: true, trackWritten: false, headOf: request);
        if (TryWriteHeadNow(frame))
        {
            return;
        }

        // A closed queue leaves the head unclaimed: the actor withdraws it when it learns of the close.
        if (!_outbound.Writer.TryWrite(frame))
        {
            frame.Release();
        }
    }

    /// <summary>Starts streaming a started request's body, off the caller's thread.</summary>
    public void StartPump(ClientRequest request)
    {
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(() => PumpInputAsync(request), CancellationToken.None);
        }
    }

    /// <summary>
    /// Closes the transport once: the writer stops, the read loop ends (completing the response
    /// streams of the requests still in the table). True for the call that closed it.
    /// </summary>
    public bool Close(Exception reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return false;
        }

        Volatile.Write(ref _closeReason, reason);
        _outbound.Writer.TryComplete();
        _transport.Input.CancelPendingRead();
        _transportOwner?.Dispose();
        return true;
    }

    /// <summary>A loop hit a connection error: close, and let the actor fail the requests.</summary>
    private void Fail(Exception reason)
    {
        if (Close(reason))
        {
            _actor.Tell(new BackendConnectionActor.TransportFailed(reason));
        }
    }

    private sealed class SocketTransport(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
