using System.Buffers;
using System.IO.Pipelines;
using FcgiActors.Protocol;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Responder.Connections;

/// <summary>STDIN and DATA: copied straight from the receive buffer into the request's pipe, within its window.</summary>
internal sealed partial class FcgiConnection
{
    private ValueTask OnInput(ushort id, RecordType type, ReadOnlyMemory<byte> content)
    {
        var request = Find(id);
        if (request is null || request.InputDiscarded || request.Stdin is null)
        {
            return default;
        }

        var isStdin = type == RecordType.Stdin;
        var pipe = isStdin ? request.Stdin : request.Data;
        if (pipe is null || (isStdin ? request.StdinClosed : request.DataClosed))
        {
            return default;
        }

        if (request.IsEnding)
        {
            DiscardInput(request, null);
            return default;
        }

        if (content.IsEmpty)
        {
            Exception? error = null;
            if (isStdin)
            {
                request.StdinClosed = true;
                if (request.ExpectedStdin >= 0 && request.StdinBytes < request.ExpectedStdin)
                {
                    // §6.2: the application compares the STDIN received with CONTENT_LENGTH.
                    error = new IOException($"STDIN ended after {request.StdinBytes} of the {request.ExpectedStdin} bytes CONTENT_LENGTH announced.");
                }
            }
            else
            {
                request.DataClosed = true;
            }

            pipe.Writer.Complete(error);
            return default;
        }

        if (isStdin)
        {
            var room = request.ExpectedStdin >= 0 ? request.ExpectedStdin - request.StdinBytes : long.MaxValue;
            if (room < content.Length)
            {
                // §6.2: at most CONTENT_LENGTH bytes; the surplus is not the body.
                content = content[..(int)Math.Max(room, 0)];
            }

            Volatile.Write(ref request.StdinBytes, request.StdinBytes + content.Length);
            if (content.IsEmpty)
            {
                return default;
            }
        }

        pipe.Writer.Write(content.Span);
        var flush = pipe.Writer.FlushAsync();
        if (flush.IsCompletedSuccessfully)
        {
            if (flush.Result.IsCompleted)
            {
                // The handler completed its reader: it wants no more body.
                DiscardInput(request, null);
            }

            return default;
        }

        if (_settings.WindowPolicy == StdinWindowPolicy.PauseConnection || ActiveRequests <= 1)
        {
            return AwaitWindowAsync(request, flush);
        }

        _logger.LogInformation("Connection {ConnectionId} request {RequestId} exceeded its {Window}-byte {RecordType} window with other requests waiting: failed",
            Id, id, _settings.StdinWindow, type);
        DiscardInput(request, new IOException($"The request's {_settings.StdinWindow}-byte {type} window is full: the handler did not read its body while other requests shared the connection."));
        FailRequest(request, "window exceeded");
        return default;
    }

    private async ValueTask AwaitWindowAsync(RequestState request, ValueTask<FlushResult> flush)
    {
        request.InputPaused = true;
        try
        {
            var result = await flush;
            if (result.IsCompleted)
            {
                DiscardInput(request, null);
            }
        }
        finally
        {
            request.InputPaused = false;
        }
    }

    private void DiscardInput(RequestState request, Exception? error)
    {
        if (request.InputDiscarded)
        {
            return;
        }

        request.InputDiscarded = true;
        if (!request.StdinClosed)
        {
            request.StdinClosed = true;
            request.Stdin?.Writer.Complete(error);
        }

        if (!request.DataClosed)
        {
            request.DataClosed = true;
            request.Data?.Writer.Complete(error);
        }
    }
}
