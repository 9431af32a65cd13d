using System.Buffers;
using System.Net.Sockets;
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
    /// A failed send ends it quietly: the receiving side sees the broken connection and reports it.
    /// </summary>
    private void SendRequest(byte[] head, Stream stdin, long contentLength)
    {
        try
        {
            if (!SendLocked(head))
            {
                return;
            }

            if (contentLength == 0)
            {
                return;
            }

            var record = new byte[FcgiConstants.HeaderLength + FcgiConstants.MaxAlignedContentLength + 8];
            var remaining = contentLength;
            while (remaining > 0 && !_aborted)
            {
                var want = (int)Math.Min(remaining, FcgiConstants.MaxAlignedContentLength);
                int n;
                try
                {
                    n = stdin.Read(record, FcgiConstants.HeaderLength, want);
                }
                catch (IOException)
                {
                    // An unreadable stdin ends the body where it broke, as a short stdin does.
                    n = 0;
                }

                if (n == 0)
                {
                    break; // stdin ended before CONTENT_LENGTH: send what there was
                }

                remaining -= n;
                var padding = RecordHeader.PaddingFor(n);
                new RecordHeader(RecordType.Stdin, RequestId, (ushort)n, padding).WriteTo(record);
                record.AsSpan(FcgiConstants.HeaderLength + n, padding).Clear();
                if (!SendLocked(record.AsSpan(0, FcgiConstants.HeaderLength + n + padding)))
                {
                    return;
                }
            }

            if (!_aborted)
            {
                Span<byte> end = stackalloc byte[FcgiConstants.HeaderLength];
                new RecordHeader(RecordType.Stdin, RequestId, 0).WriteTo(end);
                SendLocked(end);
            }
        }
        catch (ObjectDisposedException)
        {
            // The response ended and the socket closed while the body was still going out.
        }
    }

    /// <summary>
    /// Sends whole records under the send lock: the sending thread and an ABORT_REQUEST from
    /// the receiving one never interleave inside a record. False when the connection is broken.
    /// </summary>
    private bool SendLocked(ReadOnlySpan<byte> records)
    {
        lock (_sendLock)
        {
            return SendAll(records);
        }
    }

    private bool SendAll(ReadOnlySpan<byte> records)
    {
        try
        {
            while (!records.IsEmpty)
            {
                records = records[_socket.Send(records)..];
            }

            return true;
        }
        catch (SocketException)
        {
            return false;
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
        if (!_sendLock.TryEnter(RemainingMilliseconds(deadline)))
        {
            return;
        }

        try
        {
            Span<byte> abort = stackalloc byte[FcgiConstants.HeaderLength];
            new RecordHeader(RecordType.AbortRequest, RequestId, 0).WriteTo(abort);
            SendAll(abort);
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            _sendLock.Exit();
        }
    }

    private static int RemainingMilliseconds(long deadline) =>
        (int)Math.Clamp((deadline - Environment.TickCount64), 0, int.MaxValue);
}
