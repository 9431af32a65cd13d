using System.Net;
using FcgiActors.Responder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Hosting;

/// <summary>
/// The hosted service <c>AddFcgiResponder</c> registers: an <see cref="FcgiServer"/> started with
/// the host and stopped with it (stop accepting, drain in-flight requests within the host's
/// shutdown timeout and the responder's drain timeout, abort the rest). Resolve it from DI to
/// read <see cref="BoundEndPoints"/> (e.g. after listening on port 0).
/// </summary>
public sealed class FcgiResponderService : IHostedService, IAsyncDisposable
{
    private readonly FcgiResponderOptions _options;
    private readonly FcgiRequestHandler _handler;
    private readonly IConfiguration? _configuration;
    private readonly ILoggerFactory? _loggerFactory;
    private FcgiServer? _server;

    internal FcgiResponderService(FcgiResponderOptions options, FcgiRequestHandler handler, IConfiguration? configuration,
        ILoggerFactory? loggerFactory)
    {
        _options = options;
        _handler = handler;
        _configuration = configuration;
        _loggerFactory = loggerFactory;
    }

    /// <summary>The settings in effect once started (null before).</summary>
    public ResponderSettings? Settings { get; private set; }

    /// <summary>The endpoints bound; empty before start.</summary>
    public IReadOnlyList<EndPoint> BoundEndPoints => _server?.BoundEndPoints ?? [];

    /// <summary>Requests between BEGIN_REQUEST and END_REQUEST.</summary>
    public int ActiveRequests => _server?.ActiveRequests ?? 0;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            throw new InvalidOperationException("The FastCGI responder was already started.");
        }

        Settings = _options.Resolve(_configuration, ResponderSettings.FromConfiguration, ResponderSettings.Default);
        var server = new FcgiServer(Settings, _handler, _loggerFactory);
        await server.StartAsync(cancellationToken);
        _server = server;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            await server.StopAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            await server.DisposeAsync();
        }
    }
}
