using System.Net.Sockets;
using FcgiActors.Actors;
using FcgiActors.Responder.Connections;
using FcgiActors.Responder.Transport;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Responder.Actors;

/// <summary>
/// One listening endpoint. Its accept loop runs outside the mailbox and reports each accepted
/// socket; the actor applies FCGI_WEB_SERVER_ADDRS and the connection limit before a byte is
/// read, and spawns a <see cref="ConnectionActor"/> per connection.
/// </summary>
internal sealed partial class ListenerActor : ReceiveActor
{
    private static long s_connectionSequence;
    private readonly Socket _listenSocket;
    private readonly string _endpoint;
    private readonly ServerContext _server;
    private readonly FcgiRequestHandler _handler;
    private readonly WebServerAddressFilter? _filter;
    private readonly ILogger _logger;
    private int _connections;
    private bool _accepting = true;

    public ListenerActor(Socket listenSocket, string endpoint, ServerContext server, FcgiRequestHandler handler, WebServerAddressFilter? filter)
    {
        _listenSocket = listenSocket;
        _endpoint = endpoint;
        _server = server;
        _handler = handler;
        _filter = filter;
        _logger = server.ConnectionLogger;
        Receive<Accepted>(OnAccepted);
        Receive<AcceptLoopEnded>(OnAcceptLoopEnded);
        Receive<StopAccepting>(_ =>
        {
            CloseListenSocket();
            Sender.Tell(new Status.Success(null));
        });
        Receive<DrainConnections>(_ => Broadcast(ConnectionActor.Drain.Instance));
        Receive<AbortConnections>(_ => Broadcast(ConnectionActor.AbortConnection.Instance));
        Receive<Terminated>(_ => _connections--);
    }

    protected override SupervisorStrategy SupervisorStrategy() => FcgiActors.Actors.SupervisorStrategy.StoppingStrategy;

    protected override void PreStart()
    {
        var self = Self;
        var socket = _listenSocket;
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(() => AcceptLoopAsync(socket, self));
        }
    }

    protected override void PostStop() => CloseListenSocket();

    private static async Task AcceptLoopAsync(Socket listenSocket, IActorRef self)
    {
        try
        {
            while (true)
            {
                var socket = await listenSocket.AcceptAsync();
                self.Tell(new Accepted(socket));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            self.Tell(new AcceptLoopEnded(e));
        }
    }

    private void OnAccepted(Accepted message)
    {
        var socket = message.Socket;
        if (!_accepting)
        {
            socket.Dispose();
            return;
        }

        if (_filter is not null && !_filter.Allows(socket.RemoteEndPoint))
        {
            // §3.2: "close the connection" with a peer not in FCGI_WEB_SERVER_ADDRS, before reading.
            _logger.LogWarning("Listener {Endpoint} refused {Peer}: not in FCGI_WEB_SERVER_ADDRS", _endpoint, socket.RemoteEndPoint);
            socket.Dispose();
            return;
        }

        if (_connections >= _server.Settings.MaxConnections)
        {
            _logger.LogWarning("Listener {Endpoint} refused a connection: {MaxConnections} connections open", _endpoint, _server.Settings.MaxConnections);
            socket.Dispose();
            return;
        }

        if (socket.AddressFamily != AddressFamily.Unix)
        {
            // Small records must not wait for Nagle (the 40 ms stall seen with php-fpm).
            socket.NoDelay = true;
        }

        var id = "conn-" + Interlocked.Increment(ref s_connectionSequence);
        var child = Context.ActorOf(Props.Create(() => new ConnectionActor(socket, id, _server, _handler)), id);
        Context.Watch(child);
        _connections++;
    }

    private void OnAcceptLoopEnded(AcceptLoopEnded message)
    {
        if (_accepting)
        {
            _logger.LogError("Listener {Endpoint} stopped accepting: {Reason}", _endpoint, message.Error?.Message);
        }
    }

    private void Broadcast(object message)
    {
        foreach (var child in Context.Children)
        {
            child.Tell(message, Self);
        }
    }

    private void CloseListenSocket()
    {
        if (!_accepting)
        {
            return;
        }

        _accepting = false;
        var unixPath = _listenSocket.AddressFamily == AddressFamily.Unix && _listenSocket.LocalEndPoint is System.Net.Sockets.UnixDomainSocketEndPoint unix
            ? unix.ToString()
            : null;
        _listenSocket.Dispose();
        if (unixPath is not null && _endpoint.StartsWith("unix:", StringComparison.Ordinal))
        {
            try { File.Delete(unixPath); } catch (IOException) { }
        }
    }
}
