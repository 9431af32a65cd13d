using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace FcgiActors.Hosting.AspNetCore;

/// <summary>The response side: status and headers become a CGI head on STDOUT, the body follows.</summary>
internal sealed partial class FastCgiRequestFeatures : IHttpResponseFeature, IHttpResponseBodyFeature
{
    private readonly FastCgiResponseBodyWriter _responseWriter;
    private IHeaderDictionary _responseHeaders = new HeaderDictionary();
    private Stack<(Func<object, Task> Callback, object State)>? _onStarting;
    private Stack<(Func<object, Task> Callback, object State)>? _onCompleted;
    private Stream? _responseStream;
    private int _statusCode = StatusCodes.Status200OK;

    // --- IHttpResponseFeature -----------------------------------------------------------------

    public int StatusCode
    {
        get => _statusCode;
        set
        {
            ThrowIfStarted(nameof(StatusCode));
            _statusCode = value;
        }
    }

    public string? ReasonPhrase { get; set; }

    IHeaderDictionary IHttpResponseFeature.Headers
    {
        get => _responseHeaders;
        set
        {
            ThrowIfStarted("Headers");
            _responseHeaders = value ?? throw new ArgumentNullException(nameof(value));
        }
    }

    /// <summary>Response headers, as written in the CGI head.</summary>
    public IHeaderDictionary ResponseHeaders => _responseHeaders;

    Stream IHttpResponseFeature.Body
    {
        get => Stream;
        set => _responseStream = value;
    }

    public bool HasStarted { get; private set; }

    public void OnStarting(Func<object, Task> callback, object state)
    {
        ThrowIfStarted(nameof(OnStarting));
        (_onStarting ??= new()).Push((callback, state));
    }

    public void OnCompleted(Func<object, Task> callback, object state) => (_onCompleted ??= new()).Push((callback, state));

    // --- IHttpResponseBodyFeature ---------------------------------------------------------------

    public Stream Stream => _responseStream ??= new FastCgiResponseBodyStream(_responseWriter);

    public PipeWriter Writer => _responseWriter;

    /// <summary>Nothing is buffered past a flush; the web server decides its own buffering (fastcgi_buffering).</summary>
    public void DisableBuffering()
    {
    }

    public Task StartAsync(CancellationToken cancellationToken = default) => _responseWriter.FlushAsync(cancellationToken).AsTask();

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(Stream, path, offset, count, cancellationToken);

    public Task CompleteAsync() => _responseWriter.CompleteAsync().AsTask();

    // --- driven by the request processor ------------------------------------------------------

    /// <summary>True when the status or method forbids a body (RFC 9110 §9.3.2, §15.3.5, §15.4.5).</summary>
    internal bool BodySuppressed =>
        HttpMethods.IsHead(Method) || _statusCode is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified or < 200;

    /// <summary>
    /// Fires OnStarting callbacks (last registered first, as Kestrel does), then writes the CGI
    /// head into STDOUT. When the application already returned and nothing was flushed
    /// (<paramref name="bufferedBodyLength"/> known), Content-Length is set so the web server can
    /// keep its client connection alive without chunking.
    /// </summary>
    internal async ValueTask WriteHeadAsync(long? bufferedBodyLength)
    {
        if (_onStarting is not null)
        {
            while (_onStarting.TryPop(out var entry))
            {
                await entry.Callback(entry.State);
            }
        }

        if (bufferedBodyLength is { } length && _responseHeaders.ContentLength is null && !BodySuppressed
            && !_responseHeaders.ContainsKey("Transfer-Encoding"))
        {
            _responseHeaders.ContentLength = length;
        }

        // Started only once the head is written: a head that fails validation can still become a 500.
        CgiResponseHeaderWriter.Write(_exchange.Output, _statusCode, ReasonPhrase, _responseHeaders);
        HasStarted = true;
    }

    /// <summary>The application threw before the response started: a bare 500 replaces whatever it had set.</summary>
    internal void ResetForError()
    {
        _statusCode = StatusCodes.Status500InternalServerError;
        ReasonPhrase = null;
        _responseHeaders.Clear();
        _responseWriter.DiscardBuffered();
    }

    /// <summary>Ends the response after the application returned: head if not sent, buffered body, checks, flush.</summary>
    internal ValueTask FinishResponseAsync() => _responseWriter.FinishAsync();

    /// <summary>Runs OnCompleted callbacks, last registered first; their failures are returned, not thrown.</summary>
    internal async Task<Exception?> FireOnCompletedAsync()
    {
        Exception? failure = null;
        if (_onCompleted is not null)
        {
            while (_onCompleted.TryPop(out var entry))
            {
                try
                {
                    await entry.Callback(entry.State);
                }
                catch (Exception ex)
                {
                    failure ??= ex;
                }
            }
        }

        return failure;
    }

    internal void DisposeRequest() => _abortSource.Dispose();

    private void ThrowIfStarted(string member)
    {
        if (HasStarted)
        {
            throw new InvalidOperationException($"{member} cannot be set because the response has already started.");
        }
    }
}
