using System.Diagnostics;
using System.Globalization;
using FcgiActors.Diagnostics;
using FcgiActors.Hosting.Metrics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Hosting.AspNetCore;

/// <summary>
/// Runs one FastCGI request through an ASP.NET Core application, following the
/// <see cref="IHttpApplication{TContext}"/> contract as Kestrel does: CreateContext,
/// ProcessRequestAsync, then (response not started and the application threw) a 500, the end of
/// the response, OnCompleted callbacks, and DisposeContext with the application's exception.
/// </summary>
internal sealed class FastCgiRequestProcessor<TContext>
    where TContext : notnull
{
    private readonly IHttpApplication<TContext> _application;
    private readonly ILogger _logger;
    private readonly FcgiMetrics? _metrics;
    private long _requestCount;

    public FastCgiRequestProcessor(IHttpApplication<TContext> application, ILogger logger, FcgiMetrics? metrics)
    {
        _application = application;
        _logger = logger;
        _metrics = metrics;
    }

    public async Task ProcessAsync(IFastCgiExchange exchange)
    {
        var start = Stopwatch.GetTimestamp();
        _metrics?.RequestStarted(FcgiComponent.AspNetCore);
        var outcome = FcgiRequestOutcome.Completed;
        FastCgiRequestFeatures? features = null;
        try
        {
            var request = CgiRequestParser.Parse(exchange.Params);
            var traceIdentifier = string.Create(CultureInfo.InvariantCulture,
                $"{exchange.ConnectionId}:{Interlocked.Increment(ref _requestCount):X8}");
            features = new FastCgiRequestFeatures(exchange, request, traceIdentifier);
            outcome = await RunApplicationAsync(exchange, features);
        }
        catch (Exception ex)
        {
            // Only the CGI mapping itself can fail here; the application's exceptions are handled inside.
            _logger.LogError(ex, "FastCGI request {ConnectionId}/{RequestId} could not be mapped to HTTP",
                exchange.ConnectionId, exchange.RequestId);
            exchange.AppStatus = 1;
            outcome = FcgiRequestOutcome.Error;
        }
        finally
        {
            features?.DisposeRequest();
            _metrics?.RequestStopped(FcgiComponent.AspNetCore, outcome, start);
        }
    }

    private async Task<FcgiRequestOutcome> RunApplicationAsync(IFastCgiExchange exchange, FastCgiRequestFeatures features)
    {
        var context = _application.CreateContext(features);
        Exception? applicationException = null;
        try
        {
            await _application.ProcessRequestAsync(context);
        }
        catch (Exception ex)
        {
            applicationException = ex;
            LogApplicationError(exchange, features, ex);
            if (!features.HasStarted)
            {
                features.ResetForError();
            }
        }

        try
        {
            await features.FinishResponseAsync();
        }
        catch (Exception ex)
        {
            // OnStarting callbacks, invalid headers, Content-Length mismatches: the response is broken.
            applicationException ??= ex;
            LogApplicationError(exchange, features, ex);
            if (!features.HasStarted)
            {
                features.ResetForError();
                await features.FinishResponseAsync();
            }
            else
            {
                // The head already went out: the only honest signal left is a failed request.
                exchange.AppStatus = 1;
            }
        }

        if (await features.FireOnCompletedAsync() is { } completedError)
        {
            _logger.LogError(completedError, "An OnCompleted callback of request {TraceIdentifier} failed", features.TraceIdentifier);
        }

        _application.DisposeContext(context, applicationException);
        return features.IsAborted ? FcgiRequestOutcome.Aborted
            : applicationException is not null ? FcgiRequestOutcome.Error
            : FcgiRequestOutcome.Completed;
    }

    private void LogApplicationError(IFastCgiExchange exchange, FastCgiRequestFeatures features, Exception exception)
    {
        if (features.IsAborted && exception is OperationCanceledException)
        {
            _logger.LogDebug("Request {TraceIdentifier} ({ConnectionId}/{RequestId}) was aborted",
                features.TraceIdentifier, exchange.ConnectionId, exchange.RequestId);
            return;
        }

        _logger.LogError(exception, "Unhandled exception in request {TraceIdentifier} ({ConnectionId}/{RequestId})",
            features.TraceIdentifier, exchange.ConnectionId, exchange.RequestId);
    }
}
