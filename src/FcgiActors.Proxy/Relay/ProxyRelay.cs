using System.Buffers;
using System.IO.Pipelines;
using FcgiActors.Client;
using FcgiActors.Protocol;
using FcgiActors.Proxy.Routing;
using FcgiActors.Responder;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Proxy.Relay;

/// <summary>
/// The front responder's handler: relays one front request to a backend and its answer back.
/// PARAMS go as the exact bytes received (minus the strip list); STDIN streams from the front's
/// bounded window into the backend request; STDOUT/STDERR stream back through the front's
/// bounded output; END_REQUEST's appStatus and protocolStatus are passed on. Memory per
/// request is bounded by those windows: the relay holds at most one read at a time.
/// </summary>
internal sealed partial class ProxyRelay
{
    private readonly ProxySettings _settings;
    private readonly RouteTable _routes;
    private readonly ParamFilter _filter;
    private readonly Router _router;
    private readonly IReadOnlyDictionary<string, BackendPool[]> _backends;
    private readonly ILogger _log;

    public ProxyRelay(ProxySettings settings, Router router, IReadOnlyDictionary<string, BackendPool[]> backends, ILogger log)
    {
        _settings = settings;
        _routes = new RouteTable(settings.Routes, settings.DefaultPool);
        _filter = new ParamFilter(settings.DenyParams, settings.StripParams);
        _router = router;
        _backends = backends;
        _log = log;
    }

    public async Task HandleAsync(FcgiRequestContext context)
    {
        var pairs = context.Params.Raw;
        if (!_filter.IsEmpty)
        {
            var kept = new List<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>>(pairs.Count);
            foreach (var pair in pairs)
            {
                if (_filter.IsDenied(pair.Key.Span))
                {
                    LogDenied(_log, context.ConnectionId, context.RequestId);
                    await CgiResponses.WriteAsync(context.Output, 403, "Forbidden: the request carries a parameter this proxy refuses.\n").ConfigureAwait(false);
                    return;
                }

                if (!_filter.IsStripped(pair.Key.Span))
                {
                    kept.Add(pair);
                }
            }

            pairs = kept;
        }

        var pool = _routes.Select(context.Params.Get);
        Lease? lease;
        try
        {
            lease = await _router.AcquireAsync(pool, context.Aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.Aborted.IsCancellationRequested)
        {
            return;
        }

        if (lease is null)
        {
            LogOverloaded(_log, context.ConnectionId, context.RequestId, pool);
            await WriteOverloadAsync(context).ConfigureAwait(false);
            return;
        }

        var request = new FcgiClientRequest
        {
            Role = context.Role,
            Params = pairs,
            Stdin = context.Body,
            Data = context.Role == Role.Filter ? context.Data : null,
        };
        var current = lease;
        var outcome = BackendOutcome.Cancelled;
        try
        {
            (current, outcome) = await RelayAsync(context, request, lease).ConfigureAwait(false);
        }
        finally
        {
            _router.Release(current, outcome);
        }
    }

    private async Task<(Lease Lease, BackendOutcome Outcome)> RelayAsync(FcgiRequestContext context, FcgiClientRequest request, Lease lease)
    {
        List<int>? tried = null; // allocated on the first retry only
        FcgiResponse response;
        while (true)
        {
            var backend = _backends[lease.Pool][lease.Backend];
            try
            {
                response = await backend.SendAsync(request, context.Aborted).ConfigureAwait(false);
                break;
            }
            catch (OperationCanceledException) when (context.Aborted.IsCancellationRequested)
            {
                return (lease, BackendOutcome.Cancelled);
            }
            catch (FcgiBackendException ex) when (!ex.RequestStarted && (tried?.Count ?? 1) <= _settings.MaxRetries)
            {
                // Nothing of the request reached this backend: another one may take it (issue 4, Faults).
                LogRetry(_log, ex, context.ConnectionId, context.RequestId, backend.Address.ToString());
                FcgiInstruments.BackendFailed(FcgiComponent.Proxy, FcgiBackendError.NotReached);
                tried ??= [lease.Backend];
                var next = _router.Reassign(lease, BackendOutcome.NotReached, tried);
                if (next < 0)
                {
                    await WriteBadGatewayAsync(context).ConfigureAwait(false);
                    return (lease, BackendOutcome.Cancelled); // the failure was recorded by the reassignment
                }

                lease = lease with { Backend = next };
                tried.Add(next);
            }
            catch (FcgiBackendException ex)
            {
                LogBackendFailed(_log, ex, context.ConnectionId, context.RequestId, backend.Address.ToString());
                FcgiInstruments.BackendFailed(FcgiComponent.Proxy, ex.RequestStarted ? FcgiBackendError.Response : FcgiBackendError.NotReached);
                await WriteBadGatewayAsync(context).ConfigureAwait(false);
                return (lease, ex.RequestStarted ? BackendOutcome.Failed : BackendOutcome.NotReached);
            }
        }

        await using (response.ConfigureAwait(false))
        {
            return (lease, await RelayResponseAsync(context, response, lease).ConfigureAwait(false));
        }
    }

    private async Task<BackendOutcome> RelayResponseAsync(FcgiRequestContext context, FcgiResponse response, Lease lease)
    {
        var progress = new Progress();
        var stderr = CopyStderrAsync(response.Stderr, context, context.Aborted);
        try
        {
            await CopyAsync(response.Stdout, context.Output, progress, context.Aborted).ConfigureAwait(false);
            await stderr.ConfigureAwait(false);
            var end = await response.Completion.ConfigureAwait(false);
            context.AppStatus = end.AppStatus;
            if (end.ProtocolStatus != ProtocolStatus.RequestComplete && !progress.Wrote)
            {
                // OVERLOADED, CANT_MPX_CONN or UNKNOWN_ROLE with no output would be a bare 502 in
                // nginx; answer with the overload policy, passing the backend's status on.
                await WriteOverloadAsync(context).ConfigureAwait(false);
            }

            context.ProtocolStatus = end.ProtocolStatus;
            return BackendOutcome.Success;
        }
        catch (Exception) when (context.Aborted.IsCancellationRequested)
        {
            // The front went away; disposing the response sends ABORT_REQUEST (§5.4) and the
            // shared backend connection stays up.
            await ObserveAsync(stderr).ConfigureAwait(false);
            return BackendOutcome.Cancelled;
        }
        catch (Exception ex) when (ex is FcgiBackendException or IOException or FcgiProtocolException or InvalidOperationException)
        {
            await ObserveAsync(stderr).ConfigureAwait(false);
            LogBackendFailed(_log, ex, context.ConnectionId, context.RequestId, _backends[lease.Pool][lease.Backend].Address.ToString());
            FcgiInstruments.BackendFailed(FcgiComponent.Proxy, FcgiBackendError.Response);
            if (!progress.Wrote)
            {
                await WriteBadGatewayAsync(context).ConfigureAwait(false);
            }
            else
            {
                // Headers are gone: the front sees a truncated response and a failure status.
                context.AppStatus = 1;
            }

            return BackendOutcome.Failed;
        }
    }

    private static async Task CopyAsync(PipeReader from, PipeWriter to, Progress? progress, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await from.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            try
            {
                if (!buffer.IsEmpty)
                {
                    foreach (var segment in buffer)
                    {
                        to.Write(segment.Span);
                    }

                    if (progress is not null)
                    {
                        progress.Wrote = true;
                    }

                    // Waits while the front's output window is full: backpressure to the backend.
                    var flush = await to.FlushAsync(cancellationToken).ConfigureAwait(false);
                    if (flush.IsCompleted)
                    {
                        return;
                    }
                }
            }
            finally
            {
                from.AdvanceTo(buffer.End);
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    /// <summary>
    /// STDERR is relayed as it comes, but the front's STDERR stream is opened only when the
    /// backend sends some: most requests have none, and an opened stream costs a pipe.
    /// </summary>
    private static async Task CopyStderrAsync(PipeReader from, FcgiRequestContext context, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await from.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (!buffer.IsEmpty)
            {
                from.AdvanceTo(buffer.Start);
                await CopyAsync(from, context.Error, null, cancellationToken).ConfigureAwait(false);
                return;
            }

            from.AdvanceTo(buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }
        }
    }

    private static async Task ObserveAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already handled through the main stream.
        }
    }

    private Task WriteOverloadAsync(FcgiRequestContext context)
    {
        var policy = _settings.Overload;
        FcgiInstruments.ProxyOverloadAnswered();
        context.ProtocolStatus = policy.ProtocolStatus;
        return CgiResponses.WriteAsync(context.Output, policy.Status, policy.Body, policy.RetryAfterSeconds);
    }

    private static Task WriteBadGatewayAsync(FcgiRequestContext context) =>
        CgiResponses.WriteAsync(context.Output, 502, "Bad Gateway: the FastCGI backend failed.\n");

    private sealed class Progress
    {
        public volatile bool Wrote;
    }

    [LoggerMessage(10, LogLevel.Warning, "Connection {ConnectionId} request {RequestId}: refused, it carries a denied param")]
    private static partial void LogDenied(ILogger logger, string connectionId, ushort requestId);

    [LoggerMessage(11, LogLevel.Warning, "Connection {ConnectionId} request {RequestId}: pool {Pool} overloaded")]
    private static partial void LogOverloaded(ILogger logger, string connectionId, ushort requestId, string pool);

    [LoggerMessage(12, LogLevel.Information, "Connection {ConnectionId} request {RequestId}: {Backend} not reached; retrying on another backend")]
    private static partial void LogRetry(ILogger logger, Exception ex, string connectionId, ushort requestId, string backend);

    [LoggerMessage(13, LogLevel.Warning, "Connection {ConnectionId} request {RequestId}: backend {Backend} failed")]
    private static partial void LogBackendFailed(ILogger logger, Exception ex, string connectionId, ushort requestId, string backend);
}
