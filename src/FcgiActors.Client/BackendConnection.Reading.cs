using System.Buffers;
using System.IO.Pipelines;
using FcgiActors.Protocol;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Client;

internal sealed partial class BackendConnection
{
    /// <summary>
    /// Reads records and routes them. Response streams are written only here, so a consumer
    /// that does not read its STDOUT pauses this loop (bounded memory, never a silent drop).
    /// </summary>
    private async Task ReadLoopAsync()
    {
        var input = _transport.Input;
        Exception reason;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                try
                {
                    while (RecordReader.TryRead(ref buffer, out var header, out var content))
                    {
                        await HandleRecordAsync(header, content).ConfigureAwait(false);
                    }

                    if (result.IsCanceled || IsClosed)
                    {
                        reason = _closeReason ?? new IOException("The connection was closed.");
                        break;
                    }

                    if (result.IsCompleted)
                    {
                        reason = buffer.IsEmpty
                            ? new IOException($"{Backend} closed the connection.")
                            : new FcgiConnectionException($"{Backend} closed the connection inside a record ({buffer.Length} bytes of it received).");
                        break;
                    }
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (Exception ex)
        {
            reason = ex;
        }

        Fail(reason);
        await input.CompleteAsync().ConfigureAwait(false);
        ClientRequest[] requests;
        lock (_lock)
        {
            requests = [.. _requests.Values];
            _requests.Clear();
        }

        // The streams end cleanly, so output received before the failure is still read in
        // full (a pipe completed with an error hides its unread data); the failure itself is
        // reported by Completion, which Fail has faulted.
        foreach (var request in requests)
        {
            request.CompleteOutput();
        }
    }

    private async ValueTask HandleRecordAsync(RecordHeader header, ReadOnlySequence<byte> content)
    {
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            _logger.LogTrace("Connection {ConnectionId} received {RecordType} for request {RequestId} ({Length} bytes)",
                Id, header.Type, header.RequestId, header.ContentLength);
        }

        if (header.RequestId == FcgiConstants.NullRequestId)
        {
            HandleManagementRecord(header, content);
            return;
        }

        ClientRequest? request;
        lock (_lock)
        {
            _requests.TryGetValue(header.RequestId, out request);
        }

        // §3.3 (and Go's net/http/fcgi): records for an ID that is not active are ignored —
        // that covers a second END_REQUEST and output after the first one.
        if (request is null || request.Ended && header.Type != RecordType.EndRequest)
        {
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                _logger.LogDebug("Connection {ConnectionId} ignored {RecordType} for inactive request {RequestId}",
                    Id, header.Type, header.RequestId);
            }

            return;
        }

        switch (header.Type)
        {
            case RecordType.Stdout:
                if (!request.StdoutEnded)
                {
                    request.StdoutEnded = await WriteOutputAsync(request.Stdout.Writer, content).ConfigureAwait(false);
                }

                break;
            case RecordType.Stderr:
                if (!request.StderrEnded)
                {
                    request.StderrEnded = await WriteOutputAsync(request.Stderr.Writer, content).ConfigureAwait(false);
                }

                break;
            case RecordType.EndRequest:
                EndRequest(request, EndRequestBody.Parse(content.IsSingleSegment ? content.FirstSpan : content.ToArray()));
                break;
            case RecordType.BeginRequest or RecordType.AbortRequest or RecordType.Params or RecordType.Stdin or RecordType.Data:
                throw new FcgiConnectionException(
                    $"{Backend} sent {header.Type} for request {header.RequestId}; an application never sends that record type.");
            default:
                // A type from a later protocol version on a request: nothing defines it, skip it.
                _logger.LogDebug("Connection {ConnectionId} ignored record type {RecordType} for request {RequestId}",
                    Id, (byte)header.Type, header.RequestId);
                break;
        }
    }

    /// <summary>Copies one STDOUT/STDERR record into the response pipe; true when the stream is over.</summary>
    private static async ValueTask<bool> WriteOutputAsync(PipeWriter writer, ReadOnlySequence<byte> content)
    {
        if (content.IsEmpty)
        {
            // §3.3: the empty record ends the stream.
            await writer.CompleteAsync().ConfigureAwait(false);
            return true;
        }

        foreach (var segment in content)
        {
            writer.Write(segment.Span);
        }

        var flushed = await writer.FlushAsync().ConfigureAwait(false);
        // The consumer completed its reader (disposed the response): drop the rest of the stream.
        return flushed.IsCompleted;
    }

    private void EndRequest(ClientRequest request, EndRequestBody body)
    {
        bool closeNow;
        lock (_lock)
        {
            request.Ended = true;
            _requests.Remove(request.Id);
            if (request.AbortSent)
            {
                _quarantine[request.Id] = Environment.TickCount64 + (long)_settings.AbortTimeout.TotalMilliseconds;
            }

            if (body.ProtocolStatus == ProtocolStatus.CantMpxConn)
            {
                // §5.5: the application cannot multiplex: one request at a time from now on.
                _limit = 1;
                _cantMpx = true;
            }

            if (!request.InputComplete)
            {
                // The application ended the request before taking its whole body: body
                // records may still be queued or in flight, so this connection is not reused.
                _closing = true;
            }

            if (_requests.Count == 0)
            {
                Interlocked.Exchange(ref _idleSinceTicks, Environment.TickCount64);
            }

            closeNow = _closing && _requests.Count + _reserved == 0;
        }

        request.InputCancellation.Cancel();
        request.CompleteOutput();
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("Request {RequestId} on connection {ConnectionId} ended: appStatus {AppStatus}, {ProtocolStatus}",
                request.Id, Id, body.AppStatus, body.ProtocolStatus);
        }

        request.TrySetResult(body);
        if (closeNow)
        {
            Fail(new ObjectDisposedException(nameof(BackendConnection), "The connection is not kept after its last request."));
        }
        else
        {
            CapacityChanged?.Invoke(this);
        }
    }

    private void HandleManagementRecord(RecordHeader header, ReadOnlySequence<byte> content)
    {
        switch (header.Type)
        {
            case RecordType.GetValuesResult:
                ManagementValues values;
                try
                {
                    values = GetValues.ParseResult(content);
                }
                catch (NameValueException ex)
                {
                    throw new FcgiConnectionException($"{Backend} sent a malformed GET_VALUES_RESULT: {ex.Message}", ex);
                }

                ApplyManagementValues(values);
                break;
            case RecordType.UnknownType:
                // §4.2: the application did not understand a management record we sent (our
                // GET_VALUES): it cannot tell us it multiplexes, so it does not.
                var unknown = UnknownTypeBody.Parse(content.IsSingleSegment ? content.FirstSpan : content.ToArray());
                _logger.LogDebug("Connection {ConnectionId}: {Backend} does not understand record type {RecordType}",
                    Id, Backend, unknown.Type);
                lock (_lock)
                {
                    _probeDone = true;
                }

                break;
            default:
                _logger.LogDebug("Connection {ConnectionId} ignored management record {RecordType} from {Backend}",
                    Id, (byte)header.Type, Backend);
                break;
        }
    }

    private void ApplyManagementValues(ManagementValues values)
    {
        bool raised;
        lock (_lock)
        {
            raised = values.MpxsConns == true && _limit == 1 && !_cantMpx;
            if (raised)
            {
                var limit = _settings.MaxRequestsPerConnection;
                if (values.MaxReqs is > 0 and var max)
                {
                    limit = Math.Min(limit, max);
                }

                _limit = Math.Max(1, limit);
            }

            _probeDone = true;
        }

        _logger.LogDebug("Connection {ConnectionId} to {Backend}: GET_VALUES_RESULT MPXS_CONNS={MpxsConns} MAX_REQS={MaxReqs} MAX_CONNS={MaxConns}",
            Id, Backend, values.MpxsConns, values.MaxReqs, values.MaxConns);
        if (raised)
        {
            CapacityChanged?.Invoke(this);
        }
    }
}
