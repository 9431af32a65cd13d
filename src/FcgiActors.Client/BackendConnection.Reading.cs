using System.Buffers;
using System.IO.Pipelines;
using FcgiActors.Actors;
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
                        reason = Volatile.Read(ref _closeReason) ?? new IOException("The connection was closed.");
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
        // The streams end cleanly, so output received before the failure is still read in
        // full (a pipe completed with an error hides its unread data); the failure itself is
        // reported by Completion, which the actor faults. Only this loop writes the pipes.
        foreach (var request in _requests.Snapshot())
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

        var request = _requests.Get(header.RequestId);

        // §3.3 (and Go's net/http/fcgi): records for an ID that is not active are ignored —
        // that covers a second END_REQUEST and output after the first one.
        if (request is null || request.Ended)
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

    /// <summary>
    /// The first END_REQUEST of an ID is final (§5.5): the streams end here; the actor frees
    /// the ID, tells the pool, and only then completes the request — so a request the caller
    /// sends after seeing the result reaches the pool behind the news that a slot is free.
    /// </summary>
    private void EndRequest(ClientRequest request, EndRequestBody body)
    {
        if (request.Ended)
        {
            return; // a second END_REQUEST before the actor freed the ID: dropped
        }

        request.EndBody = body;
        request.Ended = true;
        request.InputCancellation.Cancel();
        request.CompleteOutput();
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.LogDebug("Request {RequestId} on connection {ConnectionId} ended: appStatus {AppStatus}, {ProtocolStatus}",
                request.Id, Id, body.AppStatus, body.ProtocolStatus);
        }

        // On the read loop's thread when the actor is idle: the next waiting request's head goes
        // out from here (BackendConnection.SendHead), with no thread hop while the backend waits.
        _actor.TellFromIo(new BackendConnectionActor.RequestEnded(request));
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

                _logger.LogDebug("Connection {ConnectionId} to {Backend}: GET_VALUES_RESULT MPXS_CONNS={MpxsConns} MAX_REQS={MaxReqs} MAX_CONNS={MaxConns}",
                    Id, Backend, values.MpxsConns, values.MaxReqs, values.MaxConns);
                _actor.Tell(new BackendConnectionActor.ManagementValuesReceived(values));
                break;
            case RecordType.UnknownType:
                // §4.2: the application did not understand a management record we sent (our
                // GET_VALUES): it cannot tell us it multiplexes, so it does not.
                var unknown = UnknownTypeBody.Parse(content.IsSingleSegment ? content.FirstSpan : content.ToArray());
                _logger.LogDebug("Connection {ConnectionId}: {Backend} does not understand record type {RecordType}",
                    Id, Backend, unknown.Type);
                _actor.Tell(new BackendConnectionActor.ManagementValuesReceived(new ManagementValues(null, null, false)));
                break;
            default:
                _logger.LogDebug("Connection {ConnectionId} ignored management record {RecordType} from {Backend}",
                    Id, (byte)header.Type, Backend);
                break;
        }
    }
}
