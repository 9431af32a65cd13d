using System.Buffers;
using FcgiActors.Actors;
using FcgiActors.Responder.Connections;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Responder.Actors;

/// <summary>
/// One active request whose PARAMS are complete: runs the handler, and owns the decision of
/// how the request ends — normally when the handler returns, at once on ABORT_REQUEST (§5.4:
/// the handler is cancelled, one END_REQUEST, nothing after it). States: Running → Ended.
/// </summary>
/// <remarks>
/// Hot path (one of these per request): the two states are a flag and a switch rather than
/// <c>ReceiveActor</c> handler tables built per instance, and the handler starts inline in
/// <see cref="PreStart"/>. A handler that finishes without waiting (most small responses) is
/// completed there too, with no thread hop and no message to itself; one that waits reports
/// back with <see cref="HandlerCompleted"/>.
/// </remarks>
internal sealed partial class RequestActor : ActorBase
{
    private static readonly byte[] s_internalError =
        "Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nInternal Server Error\n"u8.ToArray();

    private readonly RequestState _request;
    private readonly FcgiRequestHandler _handler;
    private readonly ServerContext _server;
    private readonly ILogger _logger;
    private bool _ended;
    private bool _handlerRunning;

    public RequestActor(RequestState request, FcgiRequestHandler handler, ServerContext server)
    {
        _request = request;
        _handler = handler;
        _server = server;
        _logger = server.RequestLogger;
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case AbortRequest:
                if (!_ended)
                {
                    Abort();
                }

                return true;
            case HandlerCompleted completed:
                if (_ended)
                {
                    _handlerRunning = false;
                    Context.Stop(Self);
                }
                else
                {
                    OnHandlerCompleted(completed.Error);
                }

                return true;
            default:
                return false;
        }
    }

    protected override void PreStart()
    {
        var request = _request;
        var context = new FcgiRequestContext(request, request.Connection.Id, request.Connection.RemoteEndPoint);
        request.Context = context;
        _handlerRunning = true;
        _server.HandlerStarted();
        Task task;
        try
        {
            // The handler's continuations must not inherit this thread's execution context.
            using (ExecutionContext.SuppressFlow())
            {
                task = _handler(context);
            }
        }
        catch (Exception e)
        {
            task = Task.FromException(e);
        }

        if (task.IsCompleted)
        {
            _server.HandlerFinished();
            OnHandlerCompleted(ErrorOf(task));
        }
        else
        {
            _ = ReportWhenDoneAsync(task, Self, _server);
        }
    }

    protected override void PostStop()
    {
        if (_handlerRunning)
        {
            // Stopped with the connection or the server: the handler must not run on unseen.
            Abort();
        }
    }

    private static async Task ReportWhenDoneAsync(Task handler, IActorRef self, ServerContext server)
    {
        try
        {
            await handler.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Reported below, from the task itself.
        }

        server.HandlerFinished();
        self.Tell(new HandlerCompleted(ErrorOf(handler)));
    }

    private static Exception? ErrorOf(Task task) =>
        task.IsFaulted ? task.Exception!.InnerExceptions[0] : task.IsCanceled ? new TaskCanceledException(task) : null;

    private void Abort()
    {
        _logger.LogDebug("Connection {ConnectionId} request {RequestId} cancelling the handler", _request.Connection.Id, _request.Id);
        if (_request.TryBeginEnd(_request.Context?.AppStatus ?? 0, Protocol.ProtocolStatus.RequestComplete, discard: true))
        {
            _logger.LogDebug("Connection {ConnectionId} request {RequestId} aborted", _request.Connection.Id, _request.Id);
        }

        _ = _request.Aborted!.CancelAsync();
        _ended = true;
    }

    private void OnHandlerCompleted(Exception? error)
    {
        _handlerRunning = false;
        var context = _request.Context!;
        var appStatus = context.AppStatus;
        if (error is not null)
        {
            if (error is OperationCanceledException && _request.Aborted!.IsCancellationRequested)
            {
                _logger.LogDebug("Connection {ConnectionId} request {RequestId} handler cancelled", _request.Connection.Id, _request.Id);
            }
            else
            {
                _logger.LogError(error, "Connection {ConnectionId} request {RequestId} handler failed", _request.Connection.Id, _request.Id);
            }

            if (!_request.IsEnding && !_request.OutputWriter!.HasWritten)
            {
                // nginx turns an empty answer into 502; a CGI 500 says what happened.
                try
                {
                    _request.OutputWriter.Write(s_internalError);
                }
                catch (InvalidOperationException)
                {
                    // The handler completed its output itself.
                }
            }

            appStatus = appStatus == 0 ? 1 : appStatus;
        }

        _request.TryBeginEnd(appStatus, context.ProtocolStatus, discard: false);
        _request.ReleaseHandlerSide();
        _ended = true;
        Context.Stop(Self);
    }
}
