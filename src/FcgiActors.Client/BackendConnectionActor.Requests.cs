using System.Buffers;
using FcgiActors.Protocol;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Client;

internal sealed partial class BackendConnectionActor
{
    /// <summary>A whole body up to this size rides in the head frame: one write, one flush.</summary>
    private const int MaxInlineBody = FcgiConstants.MaxAlignedContentLength;

    // The head buffer: room for a web server's usual PARAMS (nginx's stock set is under 1 KiB);
    // grown for an inlined body or unusual PARAMS, and replaced after such a request.
    private const int InitialHeadBuffer = 4096;
    private const int MaxKeptHeadBuffer = 16 * 1024;

    private ArrayBufferWriter<byte> _head = new(InitialHeadBuffer);

    private void OnStart(StartRequest start) => Start(start.Request);

    private void Start(PendingRequest pending)
    {
        pending.Claim();
        if (pending.IsDone)
        {
            // Cancelled on its way here: the slot the pool counted is free again.
            _pool.Tell(new RequestFinished(Self, pending, Reusable: !_closing));
            return;
        }

        // §4.1/§5.5: never a second BEGIN_REQUEST beyond what the application said it takes.
        if (_failed || _closing || _requests.Count >= _limit)
        {
            _pool.Tell(new StartRejected(Self, pending));
            return;
        }

        var request = new ClientRequest(Self, _io!, AllocateId(), pending, _responseOptions);
        byte[] head;
        int headLength;
        try
        {
            (head, headLength) = BuildHead(request);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or NameValueException)
        {
            // The caller's parameters cannot be encoded: that request fails, the connection goes on.
            pending.TryFail(ex);
            _pool.Tell(new RequestFinished(Self, pending, Reusable: !_closing));
            return;
        }

        _requests.Add(request);
        if (!pending.KeepConnection)
        {
            // §5.1: without FCGI_KEEP_CONN the application closes the connection after this request.
            _closing = true;
        }

        _io!.SendHead(request, head, headLength);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("Request {RequestId} started on connection {ConnectionId} to {Backend}", request.Id, _io.Id, _backend);
        }
    }

    /// <summary>
    /// BEGIN_REQUEST, PARAMS (packed whole, §3.4) and, when it is already all there and small,
    /// the body, in an array rented from the shared pool (the writer returns it once copied out).
    /// The records are built in this connection's own buffer, kept between requests while small.
    /// </summary>
    private (byte[] Records, int Length) BuildHead(ClientRequest request)
    {
        var source = request.Pending.Request;
        var head = _head;
        head.ResetWrittenCount();
        RecordWriter.WriteBeginRequest(head, request.Id, source.Role,
            request.Pending.KeepConnection ? BeginRequestFlags.KeepConn : BeginRequestFlags.None);
        using (var parameters = new ParamsWriter(head, request.Id))
        {
            var pairs = source.Params;
            for (var i = 0; i < pairs.Count; i++)
            {
                var pair = pairs[i]; // by index: no enumerator per request
                parameters.Add(pair.Key.Span, pair.Value.Span);
            }

            parameters.Complete();
        }

        if (source.Role != Role.Filter)
        {
            if (source.Stdin is null)
            {
                RecordWriter.WriteEndOfStream(head, RecordType.Stdin, request.Id);
                request.SetInlineBody(null);
            }
            else if (source.Stdin.TryRead(out var read))
            {
                if (read.IsCompleted && !read.IsCanceled && read.Buffer.Length <= MaxInlineBody)
                {
                    // The read stays open until the head is sent, so a withdrawn head leaves the body untouched.
                    RecordWriter.WriteStream(head, RecordType.Stdin, request.Id, read.Buffer);
                    RecordWriter.WriteEndOfStream(head, RecordType.Stdin, request.Id);
                    request.SetInlineBody(read);
                }
                else
                {
                    source.Stdin.AdvanceTo(read.Buffer.Start);
                }
            }
        }

        var written = head.WrittenSpan;
        var records = ArrayPool<byte>.Shared.Rent(written.Length);
        written.CopyTo(records);
        if (head.Capacity > MaxKeptHeadBuffer)
        {
            // An inlined body grew it: a connection keeps no more than a GET's worth between requests.
            _head = new ArrayBufferWriter<byte>(InitialHeadBuffer);
        }

        return (records, written.Length);
    }

    private void OnAbort(AbortRequest abort)
    {
        var request = abort.Request;
        if (_failed || request.Ended || request.AbortSent || !ReferenceEquals(_requests.Get(request.Id), request))
        {
            return;
        }

        request.AbortSent = true;
        request.InputCancellation.Cancel();
        var record = new ArrayBufferWriter<byte>(FcgiConstants.HeaderLength);
        RecordWriter.WriteAbortRequest(record, request.Id);
        _io!.Send(record.WrittenSpan.ToArray());
        Context.Timers.StartSingleTimer(request, new AbortTimedOut(request), _settings.AbortTimeout);
        _logger.LogDebug("Request {RequestId} on connection {ConnectionId} aborted", request.Id, _io.Id);
    }

    private void OnEnded(RequestEnded ended)
    {
        var request = ended.Request;
        _requests.Remove(request);
        if (request.AbortSent)
        {
            // Go's net/http/fcgi answers an abort with a second END_REQUEST: the ID rests.
            Context.Timers.Cancel(request);
            _quarantine[request.Id] = Environment.TickCount64 + (long)_settings.AbortTimeout.TotalMilliseconds;
        }

        var body = request.EndBody;
        if (body.ProtocolStatus == ProtocolStatus.CantMpxConn && !_cantMpx)
        {
            // §5.5: the application cannot multiplex: one request at a time from now on.
            _cantMpx = true;
            if (_limit > 1)
            {
                _limit = 1;
                _pool.Tell(new LimitChanged(Self, 1));
            }
        }

        if (request.AbortSent && _limit == 1)
        {
            // The ABORT_REQUEST may have crossed the END_REQUEST, and libfcgi closes its
            // connection when an ABORT_REQUEST comes for a request it has ended (probed), which
            // would fail the next request on it; PHP-FPM does not stop a script on ABORT anyway.
            // A one-at-a-time connection is not reused after an abort (nginx closes instead of aborting).
            _closing = true;
        }

        if (!request.InputComplete)
        {
            // The application ended the request before taking its whole body: body records
            // may still be queued or in flight, so this connection is not reused.
            _closing = true;
        }

        // The freed slot takes the next waiting request at once (WaitQueue); the pool learns of
        // both in one message, ahead of anything the connection tells it about the next one.
        PendingRequest? next = null;
        if (!_closing && !_failed && _requests.Count < _limit && _waiting is not null && _waiting.TryTake(out var taken))
        {
            next = taken;
        }

        _pool.Tell(new RequestFinished(Self, request.Pending, Reusable: !_closing, next));
        request.TrySetResult(body);
        if (next is not null)
        {
            Start(next);
        }

        if (_closing && _requests.Count == 0 && !_failed)
        {
            Fail(new ObjectDisposedException(nameof(BackendConnection), "The connection is not kept after its last request."));
        }
    }

    /// <summary>
    /// The lowest free ID: IDs stay small (1 on a one-at-a-time connection, as web servers
    /// send), and an ID is reused only after its END_REQUEST or the connection's close.
    /// </summary>
    private ushort AllocateId()
    {
        var now = Environment.TickCount64;
        for (var id = 1; id <= ushort.MaxValue; id++)
        {
            var candidate = (ushort)id;
            if (_requests.Contains(candidate))
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

        // Every ID is active or resting after an abort. The pool's strategy stops this connection
        // without logging (its children log their own failures), so say it here.
        _logger.LogError("Connection {ConnectionId} to {Backend}: no free request ID ({Active} active, {Quarantined} resting after an abort); closing it",
            _io!.Id, _backend, _requests.Count, _quarantine.Count);
        throw new InvalidOperationException("No free request ID on the connection.");
    }
}
