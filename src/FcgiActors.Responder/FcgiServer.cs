using System.Net;
using System.Net.Sockets;
using FcgiActors.Actors;
using FcgiActors.Responder.Actors;
using FcgiActors.Responder.Connections;
using FcgiActors.Responder.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FcgiActors.Responder;

/// <summary>
/// A FastCGI application server: listens on the configured addresses and runs
/// <see cref="FcgiRequestHandler"/> for each request, many at once, on one actor tree
/// (ListenerActor → ConnectionActor → RequestActor).
/// </summary>
public sealed class FcgiServer : IAsyncDisposable
{
    private readonly ResponderSettings _settings;
    private readonly FcgiRequestHandler _handler;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly bool _ownsSystem;
    private readonly ServerContext _server;
    private readonly List<IActorRef> _listeners = [];
    private readonly List<EndPoint> _bound = [];
    private readonly CancellationTokenSource _heartbeatStop = new();
    private ActorSystem? _system;
    private Task? _heartbeat;
    private int _state; // 0 new, 1 started, 2 stopping/stopped

    /// <param name="settings">Validated on construction.</param>
    /// <param name="handler">Runs once per request.</param>
    /// <param name="loggerFactory">Null: no logging.</param>
    /// <param name="system">An actor system to live in; null: the server creates and terminates its own.</param>
    public FcgiServer(ResponderSettings settings, FcgiRequestHandler handler, ILoggerFactory? loggerFactory = null, ActorSystem? system = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(handler);
        _settings = settings.Validate();
        _handler = handler;
        _loggerFactory = loggerFactory ?? system?.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<FcgiServer>();
        _system = system;
        _ownsSystem = system is null;
        _server = new ServerContext(_settings, _loggerFactory);
    }

    /// <summary>The addresses actually bound (the real port when port 0 was asked), in settings order.</summary>
    public IReadOnlyList<EndPoint> BoundEndPoints => _bound;

    /// <summary>Requests from BEGIN_REQUEST until END_REQUEST, across connections.</summary>
    public int ActiveRequests => _server.ActiveRequests;

    /// <summary>Open connections.</summary>
    public int OpenConnections => _server.Connections.Count;

    /// <summary>
    /// True when descriptor 0 is a listening socket, i.e. the program was spawned as a FastCGI
    /// application by a web server, spawn-fcgi or <c>cgi-fcgi -start</c> (§2.2).
    /// </summary>
    public static bool IsInheritedListenSocketAvailable(int fd = 0) => ListenSockets.IsListeningSocket(fd);

    /// <summary>Binds every address and starts accepting.</summary>
    /// <exception cref="IOException">An address cannot be bound; the message names it. Nothing stays bound.</exception>
    public Task StartAsync(CancellationToken ct = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The server was already started.");
        }

        ct.ThrowIfCancellationRequested();
        var filter = _settings.WebServerAddresses is { } list
            ? (list.Count == 0 ? null : new WebServerAddressFilter(list))
            : WebServerAddressFilter.FromEnvironment(Environment.GetEnvironmentVariable("FCGI_WEB_SERVER_ADDRS"));
        var sockets = new List<(Socket Socket, ListenAddress Address)>();
        try
        {
            foreach (var address in _settings.Listen)
            {
                sockets.Add((ListenSockets.Open(address, _settings), address));
            }
        }
        catch
        {
            foreach (var (socket, _) in sockets)
            {
                socket.Dispose();
            }

            throw;
        }

        _system ??= ActorSystem.Create("fcgi-responder", _loggerFactory);
        var index = 0;
        foreach (var (socket, address) in sockets)
        {
            var endpoint = socket.LocalEndPoint ?? new UnixDomainSocketEndPoint(address.Path ?? "fd");
            _bound.Add(endpoint);
            var name = address.Kind == ListenAddressKind.FileDescriptor ? address.ToString() : FormatEndpoint(address, endpoint);
            var props = Props.Create(() => new ListenerActor(socket, name, _server, _handler, filter));
            _listeners.Add(_system.ActorOf(props, "fcgi-listener-" + index++ + "-" + Guid.NewGuid().ToString("N")[..8]));
            _logger.LogInformation("FastCGI responder listening on {Endpoint}", name);
        }

        using (ExecutionContext.SuppressFlow())
        {
            _heartbeat = Task.Run(HeartbeatAsync, CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops accepting, lets in-flight requests finish within the drain timeout
    /// (<see cref="ResponderSettings.ShutdownDrainTimeout"/>; cancelling <paramref name="ct"/>
    /// ends the wait early), then aborts whatever is left and closes every connection.
    /// </summary>
    public async Task StopAsync(CancellationToken ct = default)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            return;
        }

        _server.Stopping = true;
        foreach (var listener in _listeners)
        {
            try
            {
                await listener.Ask<object>(ListenerActor.StopAccepting.Instance, TimeSpan.FromSeconds(5), CancellationToken.None);
            }
            catch (AskTimeoutException)
            {
                _logger.LogWarning("A listener did not confirm it stopped accepting");
            }

            listener.Tell(ListenerActor.DrainConnections.Instance);
        }

        using (var drain = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            drain.CancelAfter(_settings.ShutdownDrainTimeout);
            try
            {
                while ((_server.ActiveRequests > 0 || _server.RunningHandlers > 0) && !drain.IsCancellationRequested)
                {
                    await Task.Delay(10, drain.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        if (_server.ActiveRequests > 0 || _server.RunningHandlers > 0)
        {
            _logger.LogWarning("Shutdown drain timeout: aborting {Requests} requests", Math.Max(_server.ActiveRequests, _server.RunningHandlers));
        }

        foreach (var listener in _listeners)
        {
            listener.Tell(ListenerActor.AbortConnections.Instance);
        }

        foreach (var connection in _server.Connections.Keys)
        {
            connection.Abort("server stopped");
        }

        await _heartbeatStop.CancelAsync();
        if (_heartbeat is not null)
        {
            await _heartbeat;
        }

        foreach (var listener in _listeners)
        {
            _system!.Stop(listener);
        }

        if (_ownsSystem && _system is not null)
        {
            await _system.TerminateAsync(TimeSpan.FromSeconds(5));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _heartbeatStop.Dispose();
    }

    private async Task HeartbeatAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            var ticks = 0;
            while (await timer.WaitForNextTickAsync(_heartbeatStop.Token))
            {
                var now = Environment.TickCount64;
                foreach (var connection in _server.Connections.Keys)
                {
                    connection.OnHeartbeat(now);
                }

                // Once a second: buffers no connection needed during the last second go.
                if (++ticks % 4 == 0)
                {
                    _server.Buffers.Trim();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string FormatEndpoint(ListenAddress address, EndPoint endpoint) => endpoint switch
    {
        IPEndPoint ip => (ip.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + ip.Address + "]" : ip.Address.ToString()) + ":" + ip.Port,
        _ => address.ToString(),
    };
}
