using System.Buffers;
using FcgiActors.Protocol;

namespace FcgiActors.Client.Bridge;

internal sealed partial class BridgeExchange
{
    /// <summary>STDIN records read with one readv(2) and sent with one send(2).</summary>
    private const int SlotsPerSend = 4;

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
    /// of at most 65528 bytes, then the empty STDIN record (riding along with the last piece).
    /// Runs on its own thread when there is a body, so an application that stops reading STDIN
    /// while it writes STDOUT blocks only this thread, never the receiving one. A failed send
    /// ends it quietly: the receiving side sees the broken connection and reports it; a send
    /// after the response ended finds the socket closed (<see cref="BridgeSocket.Dispose"/>).
    /// </summary>
    private void SendRequest(byte[] head, Stream stdin, long contentLength)
    {
        if (!SendLocked(head) || contentLength == 0)
        {
            return;
        }

        // Slots of [header][65528 content bytes] back to back: full slots are whole records
        // (65528 is a multiple of 8: no padding) that are already contiguous, so up to four
        // records are read with one readv(2) straight behind their headers and leave with one
        // send(2). The spare header at the end holds the empty STDIN record.
        const int header = FcgiConstants.HeaderLength;
        const int content = FcgiConstants.MaxAlignedContentLength;
        const int slot = header + content;
        var block = new byte[(SlotsPerSend * slot) + header];
        Span<(int Offset, int Length)> pieces = stackalloc (int, int)[SlotsPerSend];
        var descriptor = stdin as DescriptorStream;
        var remaining = contentLength;
        var ended = false;
        while (!ended && !_aborted)
        {
            var want = Math.Min(remaining, (long)SlotsPerSend * content);
            int n;
            try
            {
                if (descriptor is not null)
                {
                    var count = 0;
                    for (var offset = 0L; offset < want; offset += content)
                    {
                        pieces[count] = ((count * slot) + header, (int)Math.Min(content, want - offset));
                        count++;
                    }

                    n = descriptor.ReadScattered(block, pieces[..count]);
                }
                else
                {
                    n = stdin.Read(block, header, (int)Math.Min(want, content));
                }
            }
            catch (IOException)
            {
                n = 0; // an unreadable stdin ends the body where it broke, as a short stdin does
            }

            remaining -= n;
            // Stdin that ends before CONTENT_LENGTH ends the body with what there was.
            ended = n == 0 || remaining == 0;
            var length = 0;
            while (n > 0)
            {
                var chunk = Math.Min(n, content);
                var padding = RecordHeader.PaddingFor(chunk);
                new RecordHeader(RecordType.Stdin, RequestId, (ushort)chunk, padding).WriteTo(block.AsSpan(length));
                block.AsSpan(length + header + chunk, padding).Clear();
                length += header + chunk + padding;
                n -= chunk;
            }

            if (ended)
            {
                new RecordHeader(RecordType.Stdin, RequestId, 0).WriteTo(block.AsSpan(length));
                length += header;
            }

            if (!SendLocked(block.AsSpan(0, length)))
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
