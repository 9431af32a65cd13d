using System.Collections.Concurrent;
using FcgiActors.Actors;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Responder.Libfcgi;

/// <summary>
/// A libfcgi-shaped accept loop (FCGX_Init / FCGX_OpenSocket / FCGX_InitRequest / FCGX_Accept_r
/// / FCGX_Finish_r) for programs ported from C, running on the same <see cref="FcgiServer"/>
/// and actors as the handler API: each accepted request is a handler invocation parked until
/// the program finishes it. Several threads may each loop on their own <see cref="FcgxRequest"/>
/// (libfcgi's threaded.c pattern); requests then run concurrently.
/// <code>
/// await using var app = new FcgiApplication(ResponderSettings.Default with { Listen = [ListenAddress.Parse("127.0.0.1:9000")] });
/// await app.StartAsync();
/// var request = app.InitRequest();
/// while (await app.AcceptAsync(request) >= 0)
/// {
///     request.PutStr("Content-Type: text/plain\r\n\r\nHello " + request.QueryString);
/// }
/// </code>
/// </summary>
public sealed class FcgiApplication : IAsyncDisposable
{
    private readonly ConcurrentQueue<PendingRequest> _queue = new();
    private readonly SemaphoreSlim _available = new(0);
    private readonly CancellationTokenSource _shutdown = new();
    private long _accepted;

    /// <param name="settings">Where to listen and the limits; null: <see cref="ResponderSettings.Default"/>
    /// with the inherited fd 0 socket when the program was spawned with one (like FCGX_Init).</param>
    public FcgiApplication(ResponderSettings? settings = null, ILoggerFactory? loggerFactory = null, ActorSystem? system = null)
    {
        settings ??= FcgiServer.IsInheritedListenSocketAvailable()
            ? ResponderSettings.Default with { Listen = [ListenAddress.InheritedSocket] }
            : ResponderSettings.Default;
        Server = new FcgiServer(settings, HandleAsync, loggerFactory, system);
    }

    /// <summary>The server underneath (bound endpoints, counters, StopAsync).</summary>
    public FcgiServer Server { get; }

    /// <summary>Requests accepted so far by all <see cref="FcgxRequest"/>s.</summary>
    public long AcceptedCount => Interlocked.Read(ref _accepted);

    /// <summary>FCGX_IsCGI inverted: true when fd 0 is a FastCGI listen socket.</summary>
    public static bool IsFastCgi => FcgiServer.IsInheritedListenSocketAvailable();

    /// <summary>FCGX_Init + FCGX_OpenSocket: binds and starts serving.</summary>
    public Task StartAsync(CancellationToken ct = default) => Server.StartAsync(ct);

    /// <summary>FCGX_InitRequest: a request object to pass to Accept again and again.</summary>
    public FcgxRequest InitRequest() => new(this);

    /// <summary>
    /// FCGX_Accept_r: finishes the request's previous request (sending its buffered output),
    /// then waits for the next one. Returns 0, or <see cref="FcgxErrorCode.Shutdown"/> (-1) once
    /// the application stops.
    /// </summary>
    public async Task<int> AcceptAsync(FcgxRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await request.FinishAsync();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _shutdown.Token);
        while (true)
        {
            try
            {
                await _available.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException)
            {
                return request.Fail(FcgxErrorCode.Shutdown, "The application is shutting down.");
            }

            if (TryTake(request))
            {
                return 0;
            }
        }
    }

    /// <summary>FCGX_Accept_r for synchronous ports: blocks the calling thread.</summary>
    public int Accept(FcgxRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Finish();
        while (true)
        {
            try
            {
                _available.Wait(_shutdown.Token);
            }
            catch (OperationCanceledException)
            {
                return request.Fail(FcgxErrorCode.Shutdown, "The application is shutting down.");
            }

            if (TryTake(request))
            {
                return 0;
            }
        }
    }

    /// <summary>FCGX_ShutdownPending: Accept returns -1 from now on; requests being served finish.</summary>
    public void ShutdownPending() => _shutdown.Cancel();

    /// <summary>Stops accepting, lets requests finish within the drain timeout, then aborts the rest.</summary>
    public async Task StopAsync(CancellationToken ct = default)
    {
        await _shutdown.CancelAsync();
        await Server.StopAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _shutdown.Dispose();
        _available.Dispose();
    }

    private bool TryTake(FcgxRequest request)
    {
        while (_queue.TryDequeue(out var pending))
        {
            if (pending.Context.Aborted.IsCancellationRequested)
            {
                // Aborted while queued: its handler already returned.
                continue;
            }

            request.Attach(pending, Interlocked.Increment(ref _accepted));
            return true;
        }

        return false;
    }

    private async Task HandleAsync(FcgiRequestContext context)
    {
        var pending = new PendingRequest(context);
        _queue.Enqueue(pending);
        _available.Release();
        try
        {
            await pending.Finished.Task.WaitAsync(context.Aborted);
        }
        catch (OperationCanceledException) when (context.Aborted.IsCancellationRequested)
        {
            pending.Finished.TrySetResult();
        }
    }

    /// <summary>A request handed from the server to whichever Accept takes it.</summary>
    internal sealed class PendingRequest(FcgiRequestContext context)
    {
        public FcgiRequestContext Context { get; } = context;

        public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
