using System.Buffers;
using FcgiActors.Protocol;

namespace FcgiActors.Client.Bridge;

internal sealed partial class BridgeExchange
{
    /// <summary>
    /// GET_VALUES (when asked for), BEGIN_REQUEST, the environment as PARAMS and the empty PARAMS
    /// record, encoded by the shared codec into one buffer that goes out in one send.
    /// </summary>
    private byte[] EncodeHead(IReadOnlyList<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>> environment, bool withEmptyStdin)
    {
        var head = new ArrayBufferWriter<byte>(4096);
        if (_settings.SendGetValues)
        {
            // Not waited for: libfcgi answers management records only when the next bytes
            // arrive, so its answer may come in front of the response (or never).
            GetValues.WriteQuery(head);
        }

        // KEEP_CONN clear, as cgi-fcgi: the application closes the connection after END_REQUEST.
        RecordWriter.WriteBeginRequest(head, RequestId, Role.Responder, BeginRequestFlags.None);
        using (var pairs = new ParamsWriter(head, RequestId))
        {
            foreach (var (name, value) in environment)
            {
                pairs.Add(name.Span, value.Span);
            }

            pairs.Complete();
        }

        if (withEmptyStdin)
        {
            RecordWriter.WriteEndOfStream(head, RecordType.Stdin, RequestId);
        }

        return head.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Sends the head, then up to <paramref name="contentLength"/> bytes of stdin as STDIN records
    /// (one record per read(2), at most 65528 bytes, read straight behind its header), then the
    /// empty STDIN record. Runs on its own thread when there is a body, so an application that
    /// stops reading STDIN while it writes STDOUT blocks only this thread, never the receiving one.
    /// A failed send ends it quietly: the receiving side sees the broken connection and reports it;
    /// a send after the response ended finds the socket closed (<see cref="BridgeSocket.Dispose"/>).
    /// </summary>
    private void SendRequest(byte[] head, Stream stdin, long contentLength)
    {
        if (!SendLocked(head) || contentLength == 0)
        {
            return;
        }

        // Header, up to 65528 content bytes (a multiple of 8: no padding), and room for the
        // empty STDIN record to ride along with the last piece of the body.
        const int header = FcgiConstants.HeaderLength;
        var record = new byte[header + FcgiConstants.MaxAlignedContentLength + header];
        var remaining = contentLength;
        var ended = false;
        while (!ended && !_aborted)
        {
            int n;
            try
            {
                n = stdin.Read(record, header, (int)Math.Min(remaining, FcgiConstants.MaxAlignedContentLength));
            }
            catch (IOException)
            {
                n = 0; // an unreadable stdin ends the body where it broke, as a short stdin does
            }

            remaining -= n;
            // Stdin that ends before CONTENT_LENGTH ends the body with what there was.
            ended = n == 0 || remaining == 0;
            var padding = RecordHeader.PaddingFor(n);
            var length = 0;
            if (n > 0)
            {
                new RecordHeader(RecordType.Stdin, RequestId, (ushort)n, padding).WriteTo(record);
                record.AsSpan(header + n, padding).Clear();
                length = header + n + padding;
            }

            if (ended)
            {
                new RecordHeader(RecordType.Stdin, RequestId, 0).WriteTo(record.AsSpan(length));
                length += header;
            }

            if (!SendLocked(record.AsSpan(0, length)))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Sends whole records under the send lock: the sending thread and an ABORT_REQUEST from
    /// the receiving one never interleave inside a record. False when the connection is broken.
    /// </summary>
    private bool SendLocked(ReadOnlySpan<byte> records)
    {
        lock (_socket.SendLock)
        {
            return _socket.SendAll(records, out _);
        }
    }

    /// <summary>
    /// §5.4 FCGI_ABORT_REQUEST after our stdout broke. Waits for the send lock no longer than
    /// <paramref name="deadline"/> allows: a body send blocked on an application that reads no
    /// STDIN holds it, and then the abort cannot go out (the connection closes with us instead).
    /// </summary>
    private void SendAbort(long deadline)
    {
        _aborted = true;
        if (!_socket.SendLock.TryEnter(RemainingMilliseconds(deadline)))
        {
            return;
        }

        try
        {
            Span<byte> abort = stackalloc byte[FcgiConstants.HeaderLength];
            new RecordHeader(RecordType.AbortRequest, RequestId, 0).WriteTo(abort);
            _socket.SendAll(abort, out _);
        }
        finally
        {
            _socket.SendLock.Exit();
        }
    }

    private static int RemainingMilliseconds(long deadline) =>
        (int)Math.Clamp((deadline - Environment.TickCount64), 0, int.MaxValue);
}
