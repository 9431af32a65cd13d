using System.Buffers;
using FcgiActors.Protocol;

namespace FcgiActors.Client.Bridge;

/// <summary>
/// One responder request over one connected socket, with no actor system, no pipes and no
/// thread pool: the bridge runs exactly one request per process, so the pool's queueing,
/// multiplexing and reconnecting would only cost start-up time. The request goes out from
/// <see cref="SendRequest"/> (its own thread when there is a body); the calling thread does
/// blocking receives, reads records with the shared codec and writes STDOUT to fd 1 and STDERR to
/// fd 2 straight from the receive buffer, a record's content as soon as any of it has arrived.
/// The first END_REQUEST is final (§5.5).
/// </summary>
internal sealed partial class BridgeExchange
{
    private const ushort RequestId = 1;

    private readonly BridgeSocket _socket;
    private readonly BackendAddress _address;
    private readonly BridgeSettings _settings;
    private readonly Stream _stdout;
    private readonly Stream _stderr;
    private volatile bool _aborted;

    // The record being relayed or skipped: content bytes still to come (written to _target, or
    // dropped when it is null), then padding bytes still to come.
    private int _contentLeft;
    private int _paddingLeft;
    private Stream? _target;

    // Output pieces of the receive buffer not yet written, all for _pending: consecutive records of
    // one stream leave with one writev(2) (DescriptorStream) instead of one write(2) each.
    private readonly (int Offset, int Length)[] _pieces = new (int, int)[64];
    private int _pieceCount;
    private Stream? _pending;
    private bool _stdoutEnded;
    private bool _stderrEnded;

    // Set when a write to fd 1 or fd 2 failed (EPIPE): output is dropped from then on, and the
    // exchange ends at END_REQUEST or at this Environment.TickCount64, whichever comes first.
    private long _abortDeadline = long.MaxValue;

    private bool Aborting => _abortDeadline != long.MaxValue;

    public BridgeExchange(BridgeSocket socket, BackendAddress address, BridgeSettings settings, Stream stdout, Stream stderr)
    {
        _socket = socket;
        _address = address;
        _settings = settings;
        _stdout = stdout;
        _stderr = stderr;
    }

    /// <summary>Sends the request, relays the response, returns the exit code.</summary>
    public int Run(IReadOnlyList<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>> environment, Stream stdin)
    {
        // Exactly CONTENT_LENGTH bytes of stdin (fewer if stdin ends first; none without a valid one).
        var contentLength = ProcessEnvironment.ContentLength(environment);
        var head = EncodeHead(environment, withEmptyStdin: contentLength == 0);
        if (contentLength == 0)
        {
            // Nothing to stream: one send from this thread, no second thread to start.
            SendRequest(head, stdin, 0);
        }
        else
        {
            var sender = new Thread(() => SendRequest(head, stdin, contentLength))
            {
                IsBackground = true, // a read(0) that never returns must not keep the process alive
                Name = "fcgi bridge stdin",
            };
            sender.UnsafeStart();
        }

        return Receive();
    }

    private int Receive()
    {
        var buffer = GC.AllocateUninitializedArray<byte>(_settings.OutputBufferSize);
        int start = 0, end = 0;
        while (true)
        {
            var exit = Relay(buffer, ref start, end);
            FlushOutput(buffer);
            if (exit is { } code)
            {
                return code;
            }

            // Whatever is left is a partial header or a partial management / END_REQUEST
            // record: keep it, at the front when the rest of the buffer could not hold the record.
            if (start == end)
            {
                start = end = 0;
            }
            else if (buffer.Length - start < FcgiConstants.MaxRecordLength)
            {
                buffer.AsSpan(start, end - start).CopyTo(buffer);
                end -= start;
                start = 0;
            }

            if (Aborting && !_socket.WaitReadable(RemainingMilliseconds(_abortDeadline)))
            {
                return BrokenPipe(); // no END_REQUEST within abort-wait
            }

            var n = _socket.Receive(buffer.AsSpan(end), out var errno);
            if (n < 0)
            {
                // cgi-fcgi exits with the errno of a failed read (ECONNRESET: 104).
                return Aborting ? BrokenPipe() : Fail(errno is > 0 and < 256 ? errno : BridgeExitCodes.ProtocolError, Libc.Message(errno));
            }

            if (n == 0)
            {
                if (Aborting)
                {
                    return BrokenPipe();
                }

                return start == end && _contentLeft == 0 && _paddingLeft == 0
                    ? Fail(BridgeExitCodes.ProtocolError, "the application closed the connection before END_REQUEST.")
                    : Fail(BridgeExitCodes.ProtocolError, "the application closed the connection inside a record; no END_REQUEST was received.");
            }

            end += n;
        }
    }

    /// <summary>
    /// Handles the records in <c>buffer[start..end]</c>: relays stream content as far as it
    /// goes, handles whole records, and stops at an incomplete header or non-stream record.
    /// </summary>
    /// <returns>The exit code once the exchange is over, else null (receive more).</returns>
    private int? Relay(byte[] buffer, ref int start, int end)
    {
        while (true)
        {
            if (_contentLeft > 0)
            {
                var n = Math.Min(_contentLeft, end - start);
                Queue(buffer, _target, start, n);
                start += n;
                _contentLeft -= n;
                if (_contentLeft > 0)
                {
                    return null;
                }
            }

            if (_paddingLeft > 0)
            {
                // §3.3: "Receivers of the record ignore padding".
                var n = Math.Min(_paddingLeft, end - start);
                start += n;
                _paddingLeft -= n;
                if (_paddingLeft > 0)
                {
                    return null;
                }
            }

            if (Aborting && Environment.TickCount64 >= _abortDeadline)
            {
                return BrokenPipe();
            }

            // Output queued so far goes out before anything that may end the exchange.
            if (end - start >= FcgiConstants.HeaderLength && buffer[start + 1] is not (byte)RecordType.Stdout and not (byte)RecordType.Stderr)
            {
                FlushOutput(buffer);
            }

            if (end - start < FcgiConstants.HeaderLength)
            {
                return null;
            }

            var header = RecordHeader.Parse(buffer.AsSpan(start));
            try
            {
                RecordReader.Validate(header);
            }
            catch (FcgiConnectionException ex)
            {
                return Fail(header.Version != FcgiConstants.Version1 ? BridgeExitCodes.UnsupportedVersion : BridgeExitCodes.ProtocolError, ex.Message);
            }

            if (header.RequestId != FcgiConstants.NullRequestId && (header.RequestId != RequestId || header.Type is not RecordType.EndRequest))
            {
                // Stream content and records to drop are passed on as they arrive, whole or not.
                start += FcgiConstants.HeaderLength;
                if (header.RequestId == RequestId && ProtocolViolation(header) is { } violation)
                {
                    return Fail(BridgeExitCodes.ProtocolError, violation);
                }

                _target = header.RequestId == RequestId ? StreamFor(header) : null; // §3.3: other IDs are ignored
                _contentLeft = header.ContentLength;
                _paddingLeft = header.PaddingLength;
                continue;
            }

            // END_REQUEST and management records are handled whole.
            if (end - start < header.TotalLength)
            {
                return null;
            }

            var contentStart = start + FcgiConstants.HeaderLength;
            start += header.TotalLength;
            if (header.Type == RecordType.EndRequest)
            {
                return Ended(EndRequestBody.Parse(buffer.AsSpan(contentStart, header.ContentLength)));
            }

            if (header.Type == RecordType.GetValuesResult)
            {
                // The answer to our GET_VALUES: nothing depends on it with one request, but a
                // malformed one is a broken application like any other malformed record.
                try
                {
                    GetValues.ParseResult(new ReadOnlySequence<byte>(buffer, contentStart, header.ContentLength));
                }
                catch (NameValueException ex)
                {
                    return Fail(BridgeExitCodes.ProtocolError, $"malformed GET_VALUES_RESULT: {ex.Message}");
                }
            }

            // UNKNOWN_TYPE (§4.2: the application does not know GET_VALUES) and management
            // types of later versions need no answer from a client.
        }
    }

    /// <summary>Where the content of a record for our request goes; null drops it.</summary>
    private Stream? StreamFor(in RecordHeader header)
    {
        switch (header.Type)
        {
            case RecordType.Stdout:
                // §3.3: the empty record ends the stream; anything after it is dropped.
                _stdoutEnded |= header.ContentLength == 0;
                return _stdoutEnded || Aborting ? null : _stdout;
            case RecordType.Stderr:
                _stderrEnded |= header.ContentLength == 0;
                return _stderrEnded || Aborting ? null : _stderr;
            default:
                return null; // a request record type of a later protocol version: nothing defines it
        }
    }

    private string? ProtocolViolation(in RecordHeader header) =>
        header.Type is RecordType.BeginRequest or RecordType.AbortRequest or RecordType.Params or RecordType.Stdin or RecordType.Data
            ? $"the application sent {header.Type} for request {header.RequestId}; an application never sends that record type."
            : null;

    /// <summary>Queues <c>buffer[offset..offset+length]</c> for <paramref name="target"/> (null: dropped).</summary>
    private void Queue(byte[] buffer, Stream? target, int offset, int length)
    {
        if (target is null || length == 0 || Aborting)
        {
            return;
        }

        if (target != _pending || _pieceCount == _pieces.Length)
        {
            FlushOutput(buffer);
            _pending = target;
        }

        _pieces[_pieceCount++] = (offset, length);
    }

    /// <summary>Writes the queued output; a failed write (EPIPE) aborts the request.</summary>
    private void FlushOutput(byte[] buffer)
    {
        if (_pieceCount == 0)
        {
            return;
        }

        var pieces = _pieces.AsSpan(0, _pieceCount);
        _pieceCount = 0;
        if (Aborting)
        {
            return;
        }

        try
        {
            if (_pending is DescriptorStream descriptor)
            {
                descriptor.WriteGathered(buffer, pieces);
            }
            else
            {
                foreach (var (offset, length) in pieces)
                {
                    _pending!.Write(buffer, offset, length);
                }
            }
        }
        catch (IOException)
        {
            // The reader of our stdout (or stderr) went away: §5.4 ABORT_REQUEST, then leave at
            // END_REQUEST or after abort-wait, whichever comes first.
            _abortDeadline = Environment.TickCount64 + (long)_settings.AbortWait.TotalMilliseconds;
            SendAbort(_abortDeadline);
        }
    }

    private int Ended(EndRequestBody end)
    {
        if (Aborting)
        {
            return BrokenPipe();
        }

        return end.ProtocolStatus switch
        {
            ProtocolStatus.RequestComplete => end.AppStatus & 0xFF,
            ProtocolStatus.Overloaded => Report(BridgeExitCodes.Overloaded,
                $"fcgi bridge: {_address} is overloaded (FCGI_OVERLOADED); try again later\n"),
            ProtocolStatus.CantMpxConn => Report(BridgeExitCodes.ProtocolError,
                $"fcgi bridge: {_address} refused the request (FCGI_CANT_MPX_CONN)\n"),
            ProtocolStatus.UnknownRole => Report(BridgeExitCodes.ProtocolError,
                $"fcgi bridge: {_address} does not play the responder role (FCGI_UNKNOWN_ROLE)\n"),
            _ => Report(BridgeExitCodes.ProtocolError,
                $"fcgi bridge: {_address} ended the request with unknown protocolStatus {(byte)end.ProtocolStatus}\n"),
        };
    }

    private int BrokenPipe() =>
        Report(BridgeExitCodes.BrokenPipe, "fcgi bridge: stdout closed (broken pipe); request aborted\n");

    private int Fail(int code, string text) => Report(code, $"fcgi bridge: {_address}: {text}\n");

    private int Report(int code, string line)
    {
        BridgeRunner.WriteError(_stderr, line);
        return code;
    }
}
