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

    /// <summary>
    /// The writer of the socket: drains every queued frame, then flushes once per batch (the
    /// Kestrel frame-writer shape), then tells the body pumps their bytes are out. It holds the
    /// write lock for a batch, so a head written directly never lands between its frames.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        var output = _transport.Output;
        var reader = _outbound.Reader;
        var batch = new List<OutboundFrame>();
        var locked = false;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                await _writeLock.WaitAsync().ConfigureAwait(false);
                locked = true;
                while (batch.Count < 64 && reader.TryRead(out var frame))
                {
                    if (frame.HeadOf is { } withdrawn && !withdrawn.TryClaimHead())
                    {
                        frame.Release();
                        continue; // the connection is closing and the request went elsewhere
                    }

                    output.Write(frame.Span);
                    frame.Release();
                    batch.Add(frame);
                }

                var result = await output.FlushAsync().ConfigureAwait(false);
                if (result.IsCompleted)
                {
                    // The flush did not go through: its frames fail below, their heads as started.
                    throw StoppedReading();
                }

                locked = false;
                _writeLock.Release();
                foreach (var frame in batch)
                {
                    frame.Written?.TrySetResult();
                    frame.HeadOf?.OnHeadWritten();
                }

                batch.Clear();
            }
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
        finally
        {
            if (!locked)
            {
                // A head being written directly finishes first (a failed flush releases too).
                await _writeLock.WaitAsync().ConfigureAwait(false);
            }

            _outputCompleted = true;
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
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Writes a head on the caller's thread (the connection actor's turn) when the writer is idle
    /// and nothing is queued: the common case of a request given to a free connection, or taken
    /// from the wait queue as the previous one ends. That saves waking the writer on another
    /// thread while the backend waits for work. False: queue it instead. Body records never come
    /// here: a pump's records stay in the queue, so the empty STDIN record follows the last data
    /// record in one batch (see the note on <c>_outbound</c>).
    /// </summary>
    private bool TryWriteHeadNow(OutboundFrame frame)
    {
        // Peeking is safe beside the writer: it takes frames out only under the lock.
        if (_outbound.Reader.TryPeek(out _) || !_writeLock.Wait(0))
        {
            return false;
        }

        if (_outputCompleted || _outbound.Reader.TryPeek(out _))
        {
            _writeLock.Release();
            return false;
        }

        var request = frame.HeadOf!;
        if (!request.TryClaimHead())
        {
            _writeLock.Release();
            frame.Release();
            return true; // withdrawn meanwhile: the request went elsewhere
        }

        ValueTask<FlushResult> flush;
        try
        {
            var output = _transport.Output;
            output.Write(frame.Span);
            flush = output.FlushAsync();
        }
        catch (Exception ex)
        {
            flush = ValueTask.FromException<FlushResult>(ex);
        }
        finally
        {
            frame.Release();
        }

        if (flush.IsCompletedSuccessfully)
        {
            var result = flush.Result;
            _writeLock.Release();
            HeadFlushed(request, result);
        }
        else
        {
            _ = CompleteHeadAsync(flush, request);
        }

        return true;
    }

    /// <summary>A direct head write whose flush waits for room in the socket, or failed.</summary>
    private async Task CompleteHeadAsync(ValueTask<FlushResult> flush, ClientRequest request)
    {
        FlushResult result;
        try
        {
            result = await flush.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _writeLock.Release();
            Fail(ex); // the head counts as started, as in the writer
            return;
        }

        _writeLock.Release();
        HeadFlushed(request, result);
    }

    private void HeadFlushed(ClientRequest request, FlushResult result)
    {
        if (result.IsCompleted)
        {
            Fail(StoppedReading());
            return;
        }

        request.OnHeadWritten();
    }

    private IOException StoppedReading() => new($"{Backend} stopped reading.");

    /// <summary>
    /// Streams STDIN (and, for a filter, DATA after it, §6.4) as records of at most
    /// <see cref="FcgiConstants.MaxAlignedContentLength"/> bytes with at most a few records
    /// queued and not yet written (backpressure); then the stream's empty record (§3.3).
    /// </summary>
    private async Task PumpInputAsync(ClientRequest request)
    {
        var source = request.Pending.Request;
        var token = request.InputCancellation.Token;
        try
        {
            // Once the last empty record is queued no record of this request can follow, so
            // the connection may be reused even before the writer has sent it.
            void EndQueued() => request.InputComplete = true;

            var filter = source.Role == Role.Filter;
            await PumpStreamAsync(request.Id, RecordType.Stdin, source.Stdin, filter ? null : EndQueued, token).ConfigureAwait(false);
            if (filter)
            {
                await PumpStreamAsync(request.Id, RecordType.Data, source.Data, EndQueued, token).ConfigureAwait(false);
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

    /// <summary>Body records a pump may have queued but not yet written: 4 × 64 KiB in flight per request.</summary>
    private const int MaxFramesInFlight = 4;

    private async Task PumpStreamAsync(ushort requestId, RecordType type, PipeReader? body, Action? endQueued, CancellationToken token)
    {
        var inFlight = new Queue<Task>();
        if (body is not null)
        {
            while (true)
            {
                var result = await body.ReadAsync(token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (!buffer.IsEmpty)
                {
                    var chunk = (int)Math.Min(buffer.Length, FcgiConstants.MaxAlignedContentLength);
                    var frameBytes = ArrayPool<byte>.Shared.Rent(FcgiConstants.HeaderLength + chunk + 8);
                    var padding = RecordHeader.PaddingFor(chunk);
                    new RecordHeader(type, requestId, (ushort)chunk, padding).WriteTo(frameBytes);
                    buffer.Slice(0, chunk).CopyTo(frameBytes.AsSpan(FcgiConstants.HeaderLength));
                    frameBytes.AsSpan(FcgiConstants.HeaderLength + chunk, padding).Clear();
                    buffer = buffer.Slice(chunk);
                    var frame = Enqueue(frameBytes, FcgiConstants.HeaderLength + chunk + padding, pooled: true, trackWritten: true);
                    inFlight.Enqueue(frame.Written!.Task);
                }

                body.AdvanceTo(result.Buffer.End);
                // Backpressure: a slow backend (full socket) stops the pump after a few records.
                while (inFlight.Count > MaxFramesInFlight)
                {
                    await inFlight.Dequeue().WaitAsync(token).ConfigureAwait(false);
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
        var last = Enqueue(end, end.Length, pooled: false, trackWritten: true);
        endQueued?.Invoke();
        await last.Written!.Task.WaitAsync(token).ConfigureAwait(false);
        while (inFlight.Count > 0)
        {
            await inFlight.Dequeue().ConfigureAwait(false);
        }
    }

    private FcgiBackendException ClosedException() =>
        new($"The connection to {Backend} is closed.", Backend, requestStarted: true, Volatile.Read(ref _closeReason));
}
