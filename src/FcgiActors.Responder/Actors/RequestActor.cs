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
internal sealed partial class RequestActor : ReceiveActor
{
    private static readonly byte[] s_internalError =
        "Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nInternal Server Error\n"u8.ToArray();

    private readonly RequestState _request;
    private readonly FcgiRequestHandler _handler;
    private readonly ServerContext _server;
    private readonly ILogger _logger;
    private bool _handlerRunning;

    public RequestActor(RequestState request, FcgiRequestHandler handler, ServerContext server)
    {
        _request = request;
        _handler = handler;
        _server = server;
        _logger = server.RequestLogger;
        Running();
    }

    private void Running()
    {
        Receive<AbortRequest>(_ => Abort());
        Receive<HandlerCompleted>(OnHandlerCompleted);
    }

    private void Ended()
    {
        Receive<AbortRequest>(_ => { });
        Receive<HandlerCompleted>(_ =>
        {
            _handlerRunning = false;
            Context.Stop(Self);
        });
    }

    protected override void PreStart()
    {
        var request = _request;
        var context = new FcgiRequestContext(request, _server.Settings, request.Connection.Id, request.Connection.RemoteEndPoint);
        request.Context = context;
        _handlerRunning = true;
        _server.HandlerStarted();
        var self = Self;
        var handler = _handler;
        var server = _server;
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(async () =>
            {
                Exception? error = null;
                try
                {
                    await handler(context);
                }
                catch (Exception e)
                {
                    error = e;
                }
                finally
                {
                    server.HandlerFinished();
                }

                self.Tell(new HandlerCompleted(error));
            });
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

    private void Abort()
    {
        _logger.LogDebug("Connection {ConnectionId} request {RequestId} cancelling the handler", _request.Connection.Id, _request.Id);
        if (_request.TryBeginEnd(_request.Context?.AppStatus ?? 0, Protocol.ProtocolStatus.RequestComplete, discard: true))
        {
            _logger.LogDebug("Connection {ConnectionId} request {RequestId} aborted", _request.Connection.Id, _request.Id);
        }

        _ = _request.Aborted!.CancelAsync();
        Become(Ended);
    }

    private void OnHandlerCompleted(HandlerCompleted message)
    {
        _handlerRunning = false;
        var context = _request.Context!;
        var appStatus = context.AppStatus;
        if (message.Error is { } error)
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
        Become(Ended);
        Context.Stop(Self);
    }
}
