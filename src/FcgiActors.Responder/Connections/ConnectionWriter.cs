using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using FcgiActors.Protocol;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Responder.Connections;

/// <summary>
/// The one writer of a connection's socket. It drains a bounded channel of work items
/// (requests with output ready, management answers), serves ready requests round-robin with
/// at most one quantum each per turn so a large response cannot starve the others, and sends
/// each batch with one socket write. Records follow §3.3: ≤ 65535 content bytes, padded to 8,
/// one empty record per stream, END_REQUEST last.
/// </summary>
internal sealed class ConnectionWriter
{
    /// <summary>Bytes one request may add to a batch per round-robin turn.</summary>
    private const int Quantum = 64 * 1024;

    private readonly Socket _socket;
    private readonly FcgiConnection _connection;
    private readonly ILogger _logger;
    private readonly int _batchLimit;
    private readonly Channel<WorkItem> _channel;
    private readonly Queue<RequestState> _ready = new();
    private readonly BatchBuffer _batch;
    private volatile bool _closed;

    public ConnectionWriter(Socket socket, FcgiConnection connection, ResponderSettings settings, ILogger logger)
    {
        _socket = socket;
        _connection = connection;
        _logger = logger;
        _batchLimit = settings.WriteBatchSize;
        _batch = new BatchBuffer(connection.Server.Buffers);
        // Requests are queued at most once each (the scheduled flag), so this bound is only
        // reached by a flood of management records, which then waits for the socket.
        _channel = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(settings.MaxRequestsPerConnection + 64)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>True once the output side is shut down or failed.</summary>
    public bool IsClosed => _closed;

    /// <summary>Queues <paramref name="request"/> unless it is queued already.</summary>
    public void Schedule(RequestState request)
    {
        if (_closed)
        {
            FinishWithoutWire(request);
        }
        else if (request.TrySetScheduled())
        {
            Post(new WorkItem(request, null));
        }
    }

    /// <summary>Wakes the writer so it re-checks whether to close.</summary>
    public void Wake() => Post(default);

    /// <summary>Queues a management record (already encoded); waits while the channel is full.</summary>
    public ValueTask PostManagementAsync(byte[] record) =>
        _channel.Writer.TryWrite(new WorkItem(null, record)) ? default : _channel.Writer.WriteAsync(new WorkItem(null, record));

    /// <summary>No more work: the writer sends what it has and ends.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    private void Post(WorkItem item)
    {
        if (!_channel.Writer.TryWrite(item))
        {
            if (_closed)
            {
                if (item.Request is { } request)
                {
                    FinishWithoutWire(request);
                }

                return;
            }

            _ = _channel.Writer.WriteAsync(item).AsTask().ContinueWith(
                static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    public async Task RunAsync()
    {
        var reader = _channel.Reader;
        try
        {
            while (true)
            {
                if (!reader.TryPeek(out _))
                {
                    _batch.Release();
                    if (!await reader.WaitToReadAsync())
                    {
                        break;
                    }
                }

                Collect(reader);
                while (_ready.Count > 0)
                {
                    var turns = _ready.Count;
                    for (var i = 0; i < turns && _batch.Length < _batchLimit; i++)
                    {
                        var request = _ready.Dequeue();
                        request.ClearScheduled();
                        if (Drain(request) && request.TrySetScheduled())
                        {
                            _ready.Enqueue(request);
                        }
                    }

                    if (_batch.Length >= _batchLimit)
                    {
                        await SendAsync();
                    }

                    Collect(reader);
                }

                await SendAsync();
                if (_connection.ShouldCloseOutput())
                {
                    _closed = true;
                    // §5.1 KEEP_CONN clear: close "after responding". shutdown(write) sends FIN
                    // after the last byte; the read loop then drains what the peer still sends,
                    // so unread input does not turn the close into a reset that loses our answer.
                    try { _socket.Shutdown(SocketShutdown.Send); } catch (SocketException) { } catch (ObjectDisposedException) { }
                    _connection.OnOutputClosed();
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            _logger.LogDebug("Connection {ConnectionId} write failed: {Reason}", _connection.Id, e.Message);
            _closed = true;
            _connection.OnWriteFailed(e);
        }
        finally
        {
            _closed = true;
            _batch.Reset();
            _batch.Release();
            DiscardQueued(reader);
        }
    }

    private void Collect(ChannelReader<WorkItem> reader)
    {
        while (reader.TryRead(out var item))
        {
            if (item.Request is { } request)
            {
                _ready.Enqueue(request);
            }
            else if (item.Record is { } record)
            {
                _batch.Write(record);
            }
        }
    }

    /// <summary>Moves up to one quantum of the request's output into the batch; true when more is ready.</summary>
    private bool Drain(RequestState request)
    {
        if (request.IsEnded)
        {
            return false;
        }

        var ending = request.IsEnding;
        if (ending && request.DiscardOutput)
        {
            // ABORT or a failed request: drop what was not sent; the handler's next flush
            // sees IsCompleted. No output follows END_REQUEST, and it is sent once (§5.4).
            request.Stdout?.Reader.Complete();
            request.Stderr?.Reader.Complete();
            WriteEnd(request);
            return false;
        }

        if (request.Preface is { } preface)
        {
            RecordWriter.WriteStream(_batch, RecordType.Stdout, request.Id, preface);
            request.Preface = null;
            request.StdoutWritten = true;
        }

        var budget = Quantum;
        var more = false;
        if (request.Stderr is { } stderr && !request.StderrClosedOnWire)
        {
            more |= DrainPipe(stderr.Reader, RecordType.Stderr, request, ref budget, ref request.StderrClosedOnWire);
        }

        if (request.Stdout is { } stdout)
        {
            if (!request.StdoutClosedOnWire)
            {
                more |= DrainPipe(stdout.Reader, RecordType.Stdout, request, ref budget, ref request.StdoutClosedOnWire);
            }
        }
        else if (ending && !request.StdoutClosedOnWire)
        {
            // A request refused before it ran: close STDOUT only if a preface opened it.
            if (request.StdoutWritten)
            {
                RecordWriter.WriteEndOfStream(_batch, RecordType.Stdout, request.Id);
            }

            request.StdoutClosedOnWire = true;
        }

        if (ending && request.StdoutClosedOnWire && (request.Stderr is null || request.StderrClosedOnWire))
        {
            WriteEnd(request);
            return false;
        }

        return more;
    }

    private bool DrainPipe(PipeReader reader, RecordType type, RequestState request, ref int budget, ref bool closedOnWire)
    {
        if (budget <= 0 || !reader.TryRead(out var result))
        {
            return budget <= 0;
        }

        var buffer = result.Buffer;
        var take = Math.Min(buffer.Length, budget);
        var chunk = buffer.Slice(0, take);
        if (take > 0)
        {
            RecordWriter.WriteStream(_batch, type, request.Id, chunk);
            budget -= (int)take;
            if (type == RecordType.Stdout)
            {
                request.StdoutWritten = true;
            }

            if (_logger.IsEnabled(LogLevel.Trace))
            {
                _logger.LogTrace("Connection {ConnectionId} request {RequestId} sent {RecordType} {Length} bytes", _connection.Id, request.Id, type, take);
            }
        }

        var all = take == buffer.Length;
        reader.AdvanceTo(chunk.End);
        if (all && result.IsCompleted)
        {
            RecordWriter.WriteEndOfStream(_batch, type, request.Id);
            reader.Complete();
            closedOnWire = true;
            return false;
        }

        return !all;
    }

    private void WriteEnd(RequestState request)
    {
        RecordWriter.WriteEndRequest(_batch, request.Id, request.AppStatus, request.ProtocolStatus);
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            _logger.LogTrace("Connection {ConnectionId} request {RequestId} sent {RecordType} appStatus {AppStatus} {ProtocolStatus}",
                _connection.Id, request.Id, RecordType.EndRequest, request.AppStatus, request.ProtocolStatus);
        }

        if (request.MarkEnded())
        {
            _connection.OnRequestEnded(request);
        }
    }

    /// <summary>
    /// The socket is gone: a request that ends now is finished without a wire, so the
    /// connection's accounting (active count, server slots) still balances.
    /// </summary>
    private void FinishWithoutWire(RequestState request)
    {
        if (request.IsEnding && !request.IsEnded)
        {
            request.Stdout?.Reader.Complete();
            request.Stderr?.Reader.Complete();
            if (request.MarkEnded())
            {
                _connection.OnRequestEnded(request);
            }
        }
    }

    private async ValueTask SendAsync()
    {
        if (_batch.Length == 0)
        {
            return;
        }

        var memory = _batch.WrittenMemory;
        while (!memory.IsEmpty)
        {
            var sent = await _socket.SendAsync(memory, SocketFlags.None);
            memory = memory[sent..];
        }

        FcgiInstruments.Sent(FcgiComponent.Responder, _batch.Length);
        _batch.Reset();
    }

    private void DiscardQueued(ChannelReader<WorkItem> reader)
    {
        _channel.Writer.TryComplete();
        while (reader.TryRead(out var item))
        {
            if (item.Request is { } request)
            {
                _ready.Enqueue(request);
            }
        }

        while (_ready.TryDequeue(out var request))
        {
            FinishWithoutWire(request);
        }
    }

    private readonly record struct WorkItem(RequestState? Request, byte[]? Record);
}
