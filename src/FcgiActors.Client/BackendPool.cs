using FcgiActors.Actors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FcgiActors.Client;

/// <summary>
/// The connections to one backend: at most <see cref="ClientSettings.MaxConnectionsPerBackend"/>
/// of them, each carrying one request at a time unless its GET_VALUES probe said
/// FCGI_MPXS_CONNS=1 (or <see cref="ClientSettings.AssumeMultiplexing"/> is set); kept open
/// between requests (FCGI_KEEP_CONN) until idle for <see cref="ClientSettings.IdleTimeout"/>.
/// Requests beyond the capacity wait in a bounded queue. After a failed connect the pool waits
/// (exponential backoff) before trying again and meanwhile fails requests fast. A request whose
/// connection closes before any byte of it was written is moved to another connection.
/// This is the façade of a <c>BackendPoolActor</c> and its <c>BackendConnectionActor</c>
/// children (docs/client.md).
/// </summary>
public sealed class BackendPool : IAsyncDisposable
{
    private static int s_nextPool;

    private readonly ActorSystem _system;
    private readonly bool _ownsSystem;
    private readonly IActorRef _actor;
    private readonly BackendPoolStatus _status = new();
    private readonly Action _requestFinished;
    private int _outstanding;
    private int _disposed;

    /// <summary>A pool for <paramref name="address"/>; connects lazily, on the first request.</summary>
    /// <param name="address">The backend.</param>
    /// <param name="settings">Validated here.</param>
    /// <param name="loggerFactory">Logging; none when null.</param>
    /// <param name="system">The actor system to run the pool's actors in; the pool creates (and terminates) its own when null.</param>
    public BackendPool(BackendAddress address, ClientSettings settings, ILoggerFactory? loggerFactory = null, ActorSystem? system = null)
        : this(address, settings, loggerFactory, system, connector: null)
    {
    }

    /// <summary>A pool whose connections are opened by <paramref name="connector"/> (the bridge's pre-connected socket; tests).</summary>
    internal BackendPool(BackendAddress address, ClientSettings settings, ILoggerFactory? loggerFactory, ActorSystem? system, BackendConnector? connector)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(settings);
        Address = address;
        Settings = settings.Validate();
        _requestFinished = () => Interlocked.Decrement(ref _outstanding);
        var factory = loggerFactory ?? NullLoggerFactory.Instance;
        _ownsSystem = system is null;
        _system = system ?? ActorSystem.Create("fcgi-client", factory);
        var connect = connector ?? BackendConnectionActor.SocketConnector(address, Settings.ConnectTimeout);
        var status = _status;
        _actor = _system.ActorOf(
            Props.Create(() => new BackendPoolActor(address, Settings, status, connect, factory)),
            $"backend-pool-{Interlocked.Increment(ref s_nextPool)}");
    }

    /// <summary>The backend this pool talks to.</summary>
    public BackendAddress Address { get; }

    /// <summary>The validated settings.</summary>
    public ClientSettings Settings { get; }

    /// <summary>Requests sent and not yet ended, plus those waiting for a connection.</summary>
    public int OutstandingRequests => Volatile.Read(ref _outstanding);

    /// <summary>Open connections (connecting ones not counted).</summary>
    public int OpenConnections => _status.OpenConnections;

    /// <summary>False while the pool backs off after failed connects.</summary>
    public bool IsHealthy => _status.IsHealthy;

    /// <summary>
    /// Sends a request on a free slot, connecting or waiting for one if needed. Returns once
    /// BEGIN_REQUEST and PARAMS were written to the connection (<see cref="FcgiResponse.RequestStarted"/>);
    /// STDIN streams on in the background. Cancelling <paramref name="cancellationToken"/> before
    /// that gives up; after it, sends FCGI_ABORT_REQUEST (§5.4).
    /// </summary>
    /// <exception cref="FcgiBackendException">
    /// The backend is unreachable, backing off, the queue is full, or connections kept closing
    /// before the request could be written (<see cref="FcgiBackendException.RequestStarted"/> false:
    /// nothing of it was sent, and <paramref name="request"/>'s body readers are untouched).
    /// </exception>
    public async Task<FcgiResponse> SendAsync(FcgiClientRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _outstanding);
        var pending = new PendingRequest(request, Settings.KeepConnection, cancellationToken, _requestFinished);
        FcgiResponse response;
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(static p => ((PendingRequest)p!).TryCancel(), pending)
            : default;
        try
        {
            _actor.Tell(new BackendPoolActor.SendRequest(pending));
            if (Volatile.Read(ref _disposed) != 0)
            {
                // Disposed meanwhile: the pool actor may be gone, and the message with it.
                pending.TryFail(new ObjectDisposedException(nameof(BackendPool)));
            }

            response = await pending.Task.ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Decrement(ref _outstanding);
            throw;
        }
        finally
        {
            await registration.DisposeAsync().ConfigureAwait(false);
        }

        pending.OnResponseDelivered(); // the count drops when the response completes, or now if it already has
        return response;
    }

    /// <summary>Closes every connection; requests still running fail with <see cref="FcgiBackendException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _actor.Ask<BackendPoolActor.ShutdownCompleted>(BackendPoolActor.Shutdown.Instance, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            _system.Stop(_actor);
        }

        if (_ownsSystem)
        {
            await _system.DisposeAsync().ConfigureAwait(false);
        }
    }
}
