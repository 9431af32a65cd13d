using System.Buffers;
using System.IO.Pipelines;
using FcgiActors.Protocol;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Client;

internal sealed partial class BackendConnection
{
    /// <summary>Queues whole records for the writer.</summary>
    private OutboundFrame Enqueue(byte[] buffer, int length, bool pooled, bool trackWritten)
    {
        var frame = new OutboundFrame(buffer, length, pooled, trackWritten);
        if (!_outbound.Writer.TryWrite(frame))
        {
            frame.Release();
            frame.Written?.TrySetException(ClosedException());
        }

        return frame;
    }

    private void Enqueue(byte[] buffer, bool pooled) => Enqueue(buffer, buffer.Length, pooled, trackWritten: false);

    /// <summary>
    /// The one writer of the socket: drains every queued frame, then flushes once per batch
    /// (the Kestrel frame-writer shape), then tells the body pumps their bytes are out.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        var output = _transport.Output;
        var reader = _outbound.Reader;
        var batch = new List<OutboundFrame>();
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (batch.Count < 64 && reader.TryRead(out var frame))
                {
                    output.Write(frame.Span);
                    frame.Release();
                    batch.Add(frame);
                }

                var result = await output.FlushAsync().ConfigureAwait(false);
                foreach (var frame in batch)
                {
                    frame.Written?.TrySetResult();
                }

                batch.Clear();
                if (result.IsCompleted)
                {
                    throw new IOException($"{Backend} stopped reading.");
                }
            }
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
        finally
        {
            var closed = ClosedException();
            foreach (var frame in batch)
            {
                frame.Written?.TrySetException(closed);
            }

            while (reader.TryRead(out var frame))
            {
                frame.Release();
                frame.Written?.TrySetException(closed);
            }

            await output.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Streams STDIN (and, for a filter, DATA after it, §6.4) as records of at most
    /// <see cref="FcgiConstants.MaxAlignedContentLength"/> bytes, waiting for each read's
    /// records to reach the transport before reading more; then the stream's empty record (§3.3).
    /// </summary>
    private async Task PumpInputAsync(ClientRequest request, FcgiClientRequest source)
    {
        var token = request.InputCancellation.Token;
        try
        {
            await PumpStreamAsync(request.Id, RecordType.Stdin, source.Stdin, token).ConfigureAwait(false);
            if (source.Role == Role.Filter)
            {
                await PumpStreamAsync(request.Id, RecordType.Data, source.Data, token).ConfigureAwait(false);
            }

            lock (_lock)
            {
                request.InputComplete = true;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or FcgiBackendException or IOException or ObjectDisposedException)
        {
            // The request ended, was aborted, or the connection failed: the rest of the body is not sent.
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                _logger.LogTrace("Request {RequestId} on connection {ConnectionId}: body not sent in full ({Reason})",
                    request.Id, Id, ex.GetType().Name);
            }
        }
        catch (Exception ex)
        {
            // The caller's body stream failed: the request cannot go on, the connection can.
            _logger.LogDebug(ex, "Request {RequestId} on connection {ConnectionId}: reading the request body failed",
                request.Id, Id);
            request.Abort();
        }
        finally
        {
            if (source.Stdin is not null)
            {
                await source.Stdin.CompleteAsync().ConfigureAwait(false);
            }

            if (source.Data is not null)
            {
                await source.Data.CompleteAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task PumpStreamAsync(ushort requestId, RecordType type, PipeReader? body, CancellationToken token)
    {
        if (body is not null)
        {
            while (true)
            {
                var result = await body.ReadAsync(token).ConfigureAwait(false);
                var buffer = result.Buffer;
                OutboundFrame? last = null;
                while (!buffer.IsEmpty)
                {
                    var chunk = (int)Math.Min(buffer.Length, FcgiConstants.MaxAlignedContentLength);
                    var frameBytes = ArrayPool<byte>.Shared.Rent(FcgiConstants.HeaderLength + chunk + 8);
                    var padding = RecordHeader.PaddingFor(chunk);
                    new RecordHeader(type, requestId, (ushort)chunk, padding).WriteTo(frameBytes);
                    buffer.Slice(0, chunk).CopyTo(frameBytes.AsSpan(FcgiConstants.HeaderLength));
                    frameBytes.AsSpan(FcgiConstants.HeaderLength + chunk, padding).Clear();
                    buffer = buffer.Slice(chunk);
                    last = Enqueue(frameBytes, FcgiConstants.HeaderLength + chunk + padding, pooled: true, trackWritten: buffer.IsEmpty);
                }

                body.AdvanceTo(result.Buffer.End);
                if (last?.Written is { } written)
                {
                    await written.Task.WaitAsync(token).ConfigureAwait(false);
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }

        token.ThrowIfCancellationRequested();
        var end = new byte[FcgiConstants.HeaderLength];
        new RecordHeader(type, requestId, 0).WriteTo(end);
        var frame = Enqueue(end, end.Length, pooled: false, trackWritten: true);
        await frame.Written!.Task.WaitAsync(token).ConfigureAwait(false);
    }

    private FcgiBackendException ClosedException()
    {
        Exception? reason;
        lock (_lock)
        {
            reason = _closeReason;
        }

        return new FcgiBackendException($"The connection to {Backend} is closed.", Backend, requestStarted: true, reason);
    }
}
