using FcgiActors.Actors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FcgiActors.Client;

/// <summary>
/// The connections to one backend: at most <see cref="ClientSettings.MaxConnectionsPerBackend"/>
/// of them, each carrying one request at a time unless its GET_VALUES probe said
/// FCGI_MPXS_CONNS=1; kept open between requests (FCGI_KEEP_CONN) until idle for
/// <see cref="ClientSettings.IdleTimeout"/>. Requests beyond the capacity wait in a bounded
/// queue. After a failed connect the pool waits (exponential backoff) before trying again and
/// meanwhile fails requests fast.
/// </summary>
public sealed class BackendPool : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly List<BackendConnection> _connections = [];
    private readonly LinkedList<TaskCompletionSource> _waiters = new();
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly Timer _idleTimer;
    private int _connecting;
    private int _outstanding;
    private int _failedConnects;
    private long _retryAtTicks;
    private bool _disposed;

    /// <summary>A pool for <paramref name="address"/>; connects lazily, on the first request.</summary>
    /// <param name="address">The backend.</param>
    /// <param name="settings">Validated here.</param>
    /// <param name="loggerFactory">Logging; none when null.</param>
    /// <param name="system">
    /// The actor system of the host, per the API contract. This version runs its connections as
    /// plain async loops and does not spawn actors in it; the parameter only fixes the signature.
    /// </param>
    public BackendPool(BackendAddress address, ClientSettings settings, ILoggerFactory? loggerFactory = null, ActorSystem? system = null)
    {
        _ = system;
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(settings);
        Address = address;
        Settings = settings.Validate();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<BackendPool>();
        var sweep = TimeSpan.FromMilliseconds(Math.Clamp(settings.IdleTimeout.TotalMilliseconds / 4, 50, 5000));
        using (ExecutionContext.SuppressFlow())
        {
            _idleTimer = new Timer(static s => ((BackendPool)s!).CloseIdleConnections(), this, sweep, sweep);
        }
    }

    /// <summary>The backend this pool talks to.</summary>
    public BackendAddress Address { get; }

    /// <summary>The validated settings.</summary>
    public ClientSettings Settings { get; }

    /// <summary>Requests sent and not yet ended, plus those waiting for a connection.</summary>
    public int OutstandingRequests => Volatile.Read(ref _outstanding);

    /// <summary>Open connections (connecting ones not counted).</summary>
    public int OpenConnections { get { lock (_lock) { return _connections.Count; } } }

    /// <summary>False while the pool backs off after failed connects.</summary>
    public bool IsHealthy { get { lock (_lock) { return _failedConnects == 0; } } }

    /// <summary>
    /// Sends a request on a free slot, connecting or waiting for one if needed. Returns once
    /// BEGIN_REQUEST and PARAMS are queued; STDIN streams on in the background. Cancelling
    /// <paramref name="cancellationToken"/> before that gives up waiting; after it, sends
    /// FCGI_ABORT_REQUEST (§5.4).
    /// </summary>
    /// <exception cref="FcgiBackendException">The backend is unreachable, backing off, or the queue is full.</exception>
    public async Task<FcgiResponse> SendAsync(FcgiClientRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Interlocked.Increment(ref _outstanding);
        try
        {
            var response = await SendCoreAsync(request, cancellationToken).ConfigureAwait(false);
            _ = response.Completion.ContinueWith(static (_, p) => Interlocked.Decrement(ref ((BackendPool)p!)._outstanding), this,
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return response;
        }
        catch
        {
            Interlocked.Decrement(ref _outstanding);
            throw;
        }
    }

    private async Task<FcgiResponse> SendCoreAsync(FcgiClientRequest request, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            BackendConnection? connection = null;
            TaskCompletionSource? waiter = null;
            LinkedListNode<TaskCompletionSource>? node = null;
            var connect = false;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                // Prefer the busiest connection that still has room: multiplexed connections
                // fill up before new sockets are opened.
                foreach (var candidate in _connections.OrderByDescending(c => c.Active))
                {
                    if (candidate.TryReserve())
                    {
                        connection = candidate;
                        break;
                    }
                }

                if (connection is null)
                {
                    if (_connections.Count + _connecting < Settings.MaxConnectionsPerBackend)
                    {
                        if (_failedConnects > 0 && Environment.TickCount64 < _retryAtTicks)
                        {
                            throw new FcgiBackendException(
                                $"{Address} is unreachable; the next connect attempt is in {_retryAtTicks - Environment.TickCount64} ms.",
                                Address, requestStarted: false);
                        }

                        _connecting++;
                        connect = true;
                    }
                    else if (_waiters.Count >= Settings.MaxQueuedRequests)
                    {
                        throw new FcgiBackendException(
                            $"{Address}: all {Settings.MaxConnectionsPerBackend} connections are busy and {_waiters.Count} requests are queued.",
                            Address, requestStarted: false);
                    }
                    else
                    {
                        waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        node = _waiters.AddLast(waiter);
                    }
                }
            }

            if (connection is not null)
            {
                try
                {
                    return connection.StartRequest(request, Settings.KeepConnection, cancellationToken);
                }
                catch (FcgiBackendException ex) when (!ex.RequestStarted)
                {
                    continue; // the connection closed between reservation and start: try another
                }
            }

            if (connect)
            {
                await ConnectAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            try
            {
                await waiter!.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                lock (_lock)
                {
                    if (node!.List is not null)
                    {
                        _waiters.Remove(node);
                    }
                }
            }
        }
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        BackendConnection connection;
        try
        {
            connection = await BackendConnection.ConnectAsync(Address, Settings,
                _loggerFactory.CreateLogger<BackendConnection>(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            TimeSpan backoff;
            lock (_lock)
            {
                _connecting--;
                _failedConnects++;
                var factor = Math.Pow(2, Math.Min(_failedConnects - 1, 20));
                backoff = TimeSpan.FromMilliseconds(Math.Min(Settings.ReconnectMinBackoff.TotalMilliseconds * factor,
                    Settings.ReconnectMaxBackoff.TotalMilliseconds));
                _retryAtTicks = Environment.TickCount64 + (long)backoff.TotalMilliseconds;
            }

            FcgiInstruments.BackendFailed(FcgiComponent.Client, FcgiBackendError.Connect);
            _logger.LogWarning("Connecting to {Backend} failed ({Error}); next attempt in {Backoff}", Address, ex.Message, backoff);
            WakeWaiters(all: true);
            throw new FcgiBackendException($"Could not connect to {Address}: {ex.Message}", Address, requestStarted: false, ex);
        }
        catch
        {
            lock (_lock)
            {
                _connecting--;
            }

            WakeWaiters(all: false);
            throw;
        }

        connection.CapacityChanged += OnCapacityChanged;
        lock (_lock)
        {
            _connecting--;
            _failedConnects = 0;
            if (_disposed)
            {
                connection.CapacityChanged -= OnCapacityChanged;
                connection.Close();
                return;
            }

            _connections.Add(connection);
        }

        connection.Start(Settings.ProbeMultiplexing);
        _logger.LogDebug("Connection {ConnectionId} to {Backend} opened", connection.Id, Address);
    }

    private void OnCapacityChanged(BackendConnection connection)
    {
        if (connection.IsClosed)
        {
            lock (_lock)
            {
                _connections.Remove(connection);
            }

            connection.CapacityChanged -= OnCapacityChanged;
            WakeWaiters(all: true);
            return;
        }

        WakeWaiters(all: connection.Limit > 1);
    }

    private void WakeWaiters(bool all)
    {
        List<TaskCompletionSource> woken = [];
        lock (_lock)
        {
            while (_waiters.First is { } first)
            {
                _waiters.RemoveFirst();
                woken.Add(first.Value);
                if (!all)
                {
                    break;
                }
            }
        }

        foreach (var waiter in woken)
        {
            waiter.TrySetResult();
        }
    }

    private void CloseIdleConnections()
    {
        List<BackendConnection> idle = [];
        lock (_lock)
        {
            foreach (var connection in _connections)
            {
                if (connection.IsIdle && connection.IdleFor >= Settings.IdleTimeout)
                {
                    idle.Add(connection);
                }
            }
        }

        foreach (var connection in idle)
        {
            _logger.LogDebug("Connection {ConnectionId} to {Backend} idle for {IdleFor}; closing", connection.Id, Address, connection.IdleFor);
            connection.Close();
        }
    }

    /// <summary>Closes every connection; requests still running fail with <see cref="FcgiBackendException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        BackendConnection[] connections;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            connections = [.. _connections];
        }

        await _idleTimer.DisposeAsync().ConfigureAwait(false);
        foreach (var connection in connections)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        WakeWaiters(all: true);
    }
}
