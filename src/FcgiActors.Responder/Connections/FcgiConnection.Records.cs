using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using FcgiActors.Protocol;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Responder.Connections;

internal sealed partial class FcgiConnection
{
    private static readonly byte[] s_overloadedPreface =
        "Status: 503 Service Unavailable\r\nContent-Type: text/plain\r\n\r\nOverloaded\n"u8.ToArray();

    private async Task ReadLoopAsync()
    {
        BufferPool.Block? block = null;
        byte[] buffer = [];
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                if (start == end)
                {
                    start = end = 0;
                    // Hold no buffer while waiting (10,000 kept-alive connections must stay
                    // cheap): a zero-byte receive waits for readability, and costs no more than
                    // asking first whether bytes are there (one FIONREAD per request saved).
                    block?.Dispose();
                    block = null;
                    buffer = [];

                    await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);

                    // A connection that carried big records lately (request bodies) starts with
                    // the large buffer: no 16 KiB rent and copy before every body.
                    block = _server.Buffers.RentBlock(_largeRecordsSeen ? LargeReadBufferSize : SmallReadBufferSize);
                    buffer = block.Array;
                }
                else if (end == buffer.Length)
                {
                    if (start > 0)
                    {
                        // A partial record sits at the end: move it to the front.
                        Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                        end -= start;
                        start = 0;
                    }
                    else
                    {
                        // One record is larger than the small buffer: switch to one that holds
                        // any record (≤ 65,798 bytes) with room to spare for the next reads.
                        _largeRecordsSeen = true;
                        var large = _server.Buffers.RentBlock(LargeReadBufferSize);
                        Buffer.BlockCopy(buffer, 0, large.Array, 0, end);
                        block!.Dispose();
                        block = large;
                        buffer = large.Array;
                    }
                }

                var received = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None);
                if (received == 0)
                {
                    if (start != end && !_outputClosed)
                    {
                        _logger.LogDebug("Connection {ConnectionId} closed by the peer inside a record ({Bytes} bytes left)", Id, end - start);
                    }

                    return;
                }

                end += received;
                FcgiInstruments.Received(FcgiComponent.Responder, received);
                if (_outputClosed)
                {
                    // Lingering close: read and drop until the peer closes or the drain times out.
                    start = end;
                    continue;
                }

                Volatile.Write(ref _lastActivityTicks, Environment.TickCount64);
                while (true)
                {
                    var sequence = new ReadOnlySequence<byte>(buffer, start, end - start);
                    if (!RecordReader.TryReadHeader(sequence, out var header) || end - start < header.TotalLength)
                    {
                        break;
                    }

                    _firstRecordSeen = true;
                    var content = buffer.AsMemory(start + FcgiConstants.HeaderLength, header.ContentLength);
                    start += header.TotalLength;
                    if (_logger.IsEnabled(LogLevel.Trace))
                    {
                        _logger.LogTrace("Connection {ConnectionId} request {RequestId} received {RecordType} {Length} bytes", Id, header.RequestId, header.Type, header.ContentLength);
                    }

                    var pending = ProcessRecord(header, content);
                    if (!pending.IsCompletedSuccessfully)
                    {
                        await pending;
                    }
                }
            }
        }
        finally
        {
            block?.Dispose();

            CompleteInputs();
        }
    }

    private ValueTask ProcessRecord(in RecordHeader header, ReadOnlyMemory<byte> content)
    {
        switch (header.Type)
        {
            case RecordType.BeginRequest:
                OnBeginRequest(header.RequestId, content.Span);
                return default;
            case RecordType.Params:
                OnParams(header.RequestId, content.Span);
                return default;
            case RecordType.Stdin:
            case RecordType.Data:
                return OnInput(header.RequestId, header.Type, content);
            case RecordType.AbortRequest:
                OnAbortRequest(header.RequestId);
                return default;
            case RecordType.GetValues:
                return OnGetValues(content);
            default:
                if (header.RequestId == FcgiConstants.NullRequestId && !RecordTypes.IsKnown(header.Type))
                {
                    // §4.2: a management record of a type we do not understand gets
                    // FCGI_UNKNOWN_TYPE; the connection goes on.
                    var record = new byte[FcgiConstants.HeaderLength + FcgiConstants.BodyLength];
                    RecordWriter.WriteUnknownType(new FixedWriter(record), (byte)header.Type);
                    return Writer.PostManagementAsync(record);
                }

                // STDOUT, STDERR, END_REQUEST, GET_VALUES_RESULT, UNKNOWN_TYPE are ours to send,
                // and unknown types on a request ID name nothing we can answer: ignored.
                _logger.LogDebug("Connection {ConnectionId} ignored a {RecordType} record for request {RequestId}", Id, header.Type, header.RequestId);
                return default;
        }
    }

    private ValueTask OnGetValues(ReadOnlyMemory<byte> content)
    {
        // §4.1: answered at once, each understood variable once, however often it is asked.
        var output = new ArrayBufferWriter<byte>(64);
        try
        {
            GetValues.WriteResult(output, new ReadOnlySequence<byte>(content), _server.ManagementValues);
        }
        catch (NameValueException e)
        {
            throw new FcgiConnectionException($"GET_VALUES body is malformed: {e.Message}", e);
        }

        return Writer.PostManagementAsync(output.WrittenSpan.ToArray());
    }

    /// <summary>The request for <paramref name="id"/> if it is active; an ended one is dropped from the table.</summary>
    private RequestState? Find(ushort id)
    {
        lock (_requests)
        {
            if (_requests.TryGetValue(id, out var request))
            {
                if (!request.IsEnded)
                {
                    return request;
                }

                _requests.Remove(id);
            }
        }

        return null;
    }

    private void OnBeginRequest(ushort id, ReadOnlySpan<byte> content)
    {
        if (Find(id) is not null)
        {
            // §3.3: BEGIN_REQUEST for an active ID breaks the connection's ID bookkeeping.
            throw new FcgiConnectionException($"BEGIN_REQUEST for request ID {id}, which is still active.");
        }

        if (_closeRequested && !_server.Stopping)
        {
            _logger.LogDebug("Connection {ConnectionId} closing: ignored BEGIN_REQUEST {RequestId}", Id, id);
            return;
        }

        var body = BeginRequestBody.Parse(content);
        var request = new RequestState(this, id, body.Role, body.KeepConnection);
        var others = Interlocked.Increment(ref _active) - 1;
        FcgiInstruments.RequestBegan(FcgiComponent.Responder);
        if (!body.KeepConnection)
        {
            // §5.1: "the application closes the connection after responding to this request".
            _closeRequested = true;
        }

        lock (_requests)
        {
            _requests[id] = request;
        }

        if (body.Role is not (Role.Responder or Role.Authorizer or Role.Filter))
        {
            Refuse(request, ProtocolStatus.UnknownRole, overloaded: false);
        }
        else if (!_settings.Multiplexing && others > 0)
        {
            Refuse(request, ProtocolStatus.CantMpxConn, overloaded: false);
        }
        else if (others >= _settings.MaxRequestsPerConnection)
        {
            Refuse(request, ProtocolStatus.Overloaded, overloaded: true);
        }
        else if (_server.Stopping || !_server.TryAcquireRequestSlot())
        {
            Refuse(request, ProtocolStatus.Overloaded, overloaded: true);
        }
        else
        {
            request.HoldsServerSlot = true;
            request.ParamsBuilder = new FcgiParams.Builder();
            request.ParamsDecoder = new NameValueDecoder(_settings.ParamsLimits);
            request.CreatePipes(_server);
        }
    }

    private void Refuse(RequestState request, ProtocolStatus status, bool overloaded)
    {
        _logger.LogDebug("Connection {ConnectionId} request {RequestId} refused: {ProtocolStatus}", Id, request.Id, status);
        if (overloaded && _settings.OverloadStatus503)
        {
            // nginx and Apache ignore protocolStatus: the client learns of the overload from this.
            request.Preface = s_overloadedPreface;
        }

        request.TryBeginEnd(0, status, discard: false);
    }

    private void OnParams(ushort id, ReadOnlySpan<byte> content)
    {
        var request = Find(id);
        if (request is null || request.IsEnding || request.ParamsDecoder is null || request.ParamsComplete)
        {
            return;
        }

        try
        {
            if (content.IsEmpty)
            {
                request.ParamsDecoder.Complete();
                request.ParamsDecoder.Dispose();
                request.ParamsDecoder = null;
                request.Params = request.ParamsBuilder!.Build();
                request.ParamsBuilder = null;
                request.ExpectedStdin = FcgiRequestContext.ParseContentLength(request.Params) ?? -1;
                request.ParamsComplete = true;
                request.StdinStartedTicks = Environment.TickCount64;
                request.HandlerStarted = true;
                _owner.RequestReady(request);
            }
            else
            {
                request.ParamsBuilder!.Reserve(content.Length);
                request.ParamsDecoder.Decode(content, request.ParamsBuilder);
            }
        }
        catch (NameValueException e)
        {
            // A PARAMS limit or malformed pair is a request error: the record framing is intact.
            _logger.LogInformation("Connection {ConnectionId} request {RequestId} bad PARAMS: {Reason}", Id, id, e.Message);
            request.ParamsDecoder?.Dispose();
            request.ParamsDecoder = null;
            request.TryBeginEnd(1, ProtocolStatus.RequestComplete, discard: true);
        }
    }

    private void OnAbortRequest(ushort id)
    {
        var request = Find(id);
        if (request is null)
        {
            return;
        }

        _logger.LogDebug("Connection {ConnectionId} request {RequestId} aborted by the web server", Id, id);
        DiscardInput(request, new OperationCanceledException("The web server aborted the request (FCGI_ABORT_REQUEST)."));
        if (request.HandlerStarted)
        {
            // §5.4: the handler is cancelled; the request actor sends the one END_REQUEST.
            _owner.AbortReceived(request);
        }
        else
        {
            request.TryBeginEnd(0, ProtocolStatus.RequestComplete, discard: true);
        }
    }

    /// <summary>The read loop ended: no more body for anyone.</summary>
    private void CompleteInputs()
    {
        RequestState[] live;
        lock (_requests)
        {
            live = _requests.Values.ToArray();
        }

        foreach (var request in live)
        {
            request.ParamsDecoder?.Dispose();
            request.ParamsDecoder = null;
            if (!request.IsEnded)
            {
                DiscardInput(request, new IOException("The connection closed before the request body ended."));
            }
        }
    }

    /// <summary>An IBufferWriter over one exact-size array, for the fixed-size management answers.</summary>
    private sealed class FixedWriter(byte[] array) : IBufferWriter<byte>
    {
        private int _written;

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => array.AsMemory(_written);

        public Span<byte> GetSpan(int sizeHint = 0) => array.AsSpan(_written);
    }
}
