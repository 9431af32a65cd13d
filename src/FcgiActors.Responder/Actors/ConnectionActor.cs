using System.Net.Sockets;
using FcgiActors.Actors;
using FcgiActors.Responder.Connections;

namespace FcgiActors.Responder.Actors;

/// <summary>
/// One accepted connection. It starts the connection's read loop and writer (long loops run
/// outside the mailbox and report here), spawns a <see cref="RequestActor"/> per request whose
/// PARAMS are complete, forwards aborts to it, and stops when the connection is closed —
/// which stops its request actors, cancelling any handler still running.
/// </summary>
internal sealed partial class ConnectionActor : ReceiveActor, IConnectionOwner
{
    private readonly Socket _socket;
    private readonly string _id;
    private readonly ServerContext _server;
    private readonly FcgiRequestHandler _handler;
    private FcgiConnection? _connection;
    private long _requestSequence;

    public ConnectionActor(Socket socket, string id, ServerContext server, FcgiRequestHandler handler)
    {
        _socket = socket;
        _id = id;
        _server = server;
        _handler = handler;
        Receive<RequestReady>(OnRequestReady);
        Receive<AbortReceived>(OnAbortReceived);
        Receive<Drain>(_ => _connection?.RequestClose());
        Receive<AbortConnection>(_ => _connection?.Abort("server stopped"));
        Receive<ConnectionClosed>(_ => Context.Stop(Self));
    }

    protected override SupervisorStrategy SupervisorStrategy() => FcgiActors.Actors.SupervisorStrategy.StoppingStrategy;

    protected override void PreStart()
    {
        var connection = new FcgiConnection(_socket, _id, _server, this);
        _connection = connection;
        _server.Register(connection);
        if (_server.Stopping)
        {
            connection.RequestClose();
        }

        // Started inline, not with Task.Run: the loops run here only until their first wait
        // (usually the first record is already in the socket and is parsed at once), then
        // continue on socket completions. One thread hop less per connection, which is one per
        // request when the web server opens a connection per request.
        using (ExecutionContext.SuppressFlow())
        {
            _ = connection.RunAsync();
        }
    }

    protected override void PostStop()
    {
        if (_connection is { } connection)
        {
            connection.Abort("connection actor stopped");
            _server.Unregister(connection);
        }
    }

    // IConnectionOwner: called from the read loop and the writer; only posts. RequestReady runs
    // this actor's turn on the read loop's thread when the actor is idle (TellFromIo): the turn
    // only spawns the request's actor, whose handler starts on the pool: one wake-up less per request.
    void IConnectionOwner.RequestReady(RequestState request) => Self.TellFromIo(new RequestReady(request));

    void IConnectionOwner.AbortReceived(RequestState request) => Self.Tell(new AbortReceived(request));

    void IConnectionOwner.ConnectionClosed(FcgiConnection connection, Exception? error) => Self.Tell(new ConnectionClosed(error));

    private void OnRequestReady(RequestReady message)
    {
        var request = message.Request;
        if (request.IsEnding)
        {
            return;
        }

        // No death watch per request: the request keeps its actor's reference for an abort,
        // and the actor stops itself when the request ends (or with this actor).
        var name = "req-" + request.Id + "-" + (++_requestSequence);
        request.Actor = Context.ActorOf(Props.Create(() => new RequestActor(request, _handler, _server)), name);
    }

    private void OnAbortReceived(AbortReceived message) => message.Request.Actor?.Tell(RequestActor.AbortRequest.Instance);
}
