using System.Collections;
using System.IO.Pipelines;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace FcgiActors.Hosting.AspNetCore;

/// <summary>
/// One FastCGI request seen as an ASP.NET Core feature collection: the object is every feature
/// (as Kestrel's HttpProtocol is), so a request costs one allocation here, not one per feature.
/// Features a middleware sets replace the built-in ones through an override table.
/// </summary>
internal sealed partial class FastCgiRequestFeatures : IFeatureCollection,
    IHttpRequestFeature, IRequestBodyPipeFeature, IHttpRequestBodyDetectionFeature,
    IHttpConnectionFeature, IHttpRequestLifetimeFeature, IHttpRequestIdentifierFeature,
    ITlsConnectionFeature, IServerVariablesFeature
{
    private readonly IFastCgiExchange _exchange;
    private readonly CgiRequest _request;
    private readonly CancellationTokenSource _abortSource;
    private Dictionary<Type, object?>? _overrides;
    private int _revision;
    private Stream? _requestBody;
    private X509Certificate2? _clientCertificate;
    private bool _clientCertificateLoaded;
    private CancellationToken? _requestAbortedOverride;

    public FastCgiRequestFeatures(IFastCgiExchange exchange, CgiRequest request, string traceIdentifier)
    {
        _exchange = exchange;
        _request = request;
        TraceIdentifier = traceIdentifier;
        _abortSource = CancellationTokenSource.CreateLinkedTokenSource(exchange.Aborted);
        Method = request.Method;
        Scheme = request.Scheme;
        PathBase = request.PathBase;
        Path = request.Path;
        QueryString = request.QueryString;
        RawTarget = request.RawTarget;
        Protocol = request.Protocol;
        Headers = request.Headers;
        RemoteIpAddress = request.RemoteIpAddress;
        RemotePort = request.RemotePort;
        LocalIpAddress = request.LocalIpAddress;
        LocalPort = request.LocalPort;
        ConnectionId = exchange.ConnectionId;
        _responseWriter = new FastCgiResponseBodyWriter(this, exchange.Output);
    }

    /// <summary>True once <see cref="Abort"/> ran or the FastCGI request was aborted.</summary>
    public bool IsAborted => _abortSource.IsCancellationRequested;

    // --- IFeatureCollection -----------------------------------------------------------------

    public bool IsReadOnly => false;

    public int Revision => _revision;

    public object? this[Type key]
    {
        get => _overrides is not null && _overrides.TryGetValue(key, out var value) ? value : GetBuiltIn(key);
        set
        {
            (_overrides ??= new Dictionary<Type, object?>())[key] = value;
            _revision++;
        }
    }

    public TFeature? Get<TFeature>() => (TFeature?)this[typeof(TFeature)];

    public void Set<TFeature>(TFeature? instance) => this[typeof(TFeature)] = instance;

    public IEnumerator<KeyValuePair<Type, object>> GetEnumerator()
    {
        foreach (var type in BuiltInTypes)
        {
            if ((_overrides is null || !_overrides.ContainsKey(type)) && GetBuiltIn(type) is { } feature)
            {
                yield return new KeyValuePair<Type, object>(type, feature);
            }
        }

        if (_overrides is not null)
        {
            foreach (var (type, feature) in _overrides)
            {
                if (feature is not null)
                {
                    yield return new KeyValuePair<Type, object>(type, feature);
                }
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static readonly Type[] BuiltInTypes =
    [
        typeof(IHttpRequestFeature), typeof(IHttpResponseFeature), typeof(IHttpResponseBodyFeature),
        typeof(IRequestBodyPipeFeature), typeof(IHttpRequestBodyDetectionFeature), typeof(IHttpConnectionFeature),
        typeof(IHttpRequestLifetimeFeature), typeof(IHttpRequestIdentifierFeature), typeof(ITlsConnectionFeature),
        typeof(IServerVariablesFeature),
    ];

    private object? GetBuiltIn(Type type)
    {
        if (type == typeof(IHttpRequestFeature) || type == typeof(IHttpResponseFeature)
            || type == typeof(IHttpResponseBodyFeature) || type == typeof(IRequestBodyPipeFeature)
            || type == typeof(IHttpRequestBodyDetectionFeature) || type == typeof(IHttpConnectionFeature)
            || type == typeof(IHttpRequestLifetimeFeature) || type == typeof(IHttpRequestIdentifierFeature)
            || type == typeof(IServerVariablesFeature))
        {
            return this;
        }

        // Present only for HTTPS requests: its presence is what tells middleware a TLS connection exists.
        return type == typeof(ITlsConnectionFeature) && _request.IsHttps ? this : null;
    }

    // --- IHttpRequestFeature ----------------------------------------------------------------

    public string Protocol { get; set; }

    public string Scheme { get; set; }

    public string Method { get; set; }

    public string PathBase { get; set; }

    public string Path { get; set; }

    public string QueryString { get; set; }

    public string RawTarget { get; set; }

    public IHeaderDictionary Headers { get; set; }

    Stream IHttpRequestFeature.Body
    {
        get => _requestBody ??= new FastCgiRequestBodyStream(_exchange.Body);
        set => _requestBody = value;
    }

    // --- IRequestBodyPipeFeature / IHttpRequestBodyDetectionFeature ----------------------------

    PipeReader IRequestBodyPipeFeature.Reader => _exchange.Body;

    /// <summary>
    /// A body exists when CONTENT_LENGTH says so; without CONTENT_LENGTH (nginx with
    /// <c>fastcgi_request_buffering off</c> and a chunked upload) only methods that carry a body may have one.
    /// </summary>
    public bool CanHaveBody => _request.ContentLength switch
    {
        > 0 => true,
        0 => false,
        _ => !(HttpMethods.IsGet(Method) || HttpMethods.IsHead(Method) || HttpMethods.IsOptions(Method)
               || HttpMethods.IsTrace(Method) || HttpMethods.IsDelete(Method)),
    };

    // --- IHttpConnectionFeature ---------------------------------------------------------------

    public string ConnectionId { get; set; }

    public IPAddress? RemoteIpAddress { get; set; }

    public IPAddress? LocalIpAddress { get; set; }

    public int RemotePort { get; set; }

    public int LocalPort { get; set; }

    // --- IHttpRequestLifetimeFeature / IHttpRequestIdentifierFeature ------------------------------

    /// <summary>
    /// Settable, as on Kestrel: middleware such as RequestTimeouts replaces it with a token linked
    /// to this one. <see cref="IsAborted"/> still follows the server's own token.
    /// </summary>
    public CancellationToken RequestAborted
    {
        get => _requestAbortedOverride ?? _abortSource.Token;
        set => _requestAbortedOverride = value;
    }

    /// <summary>Cancels <see cref="RequestAborted"/>; output not yet flushed is discarded and the request ends with appStatus 1.</summary>
    public void Abort()
    {
        _exchange.AppStatus = 1;
        _abortSource.Cancel();
    }

    public string TraceIdentifier { get; set; }

    // --- ITlsConnectionFeature ----------------------------------------------------------------

    public X509Certificate2? ClientCertificate
    {
        get
        {
            if (!_clientCertificateLoaded)
            {
                _clientCertificateLoaded = true;
                if (_request.ClientCertificatePem is { Length: > 0 } pem)
                {
                    try
                    {
                        _clientCertificate = X509Certificate2.CreateFromPem(pem);
                    }
                    catch (System.Security.Cryptography.CryptographicException)
                    {
                        _clientCertificate = null;
                    }
                }
            }

            return _clientCertificate;
        }
        set
        {
            _clientCertificateLoaded = true;
            _clientCertificate = value;
        }
    }

    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);

    // --- IServerVariablesFeature: every CGI variable the web server sent, as IIS exposes them ------

    public string? this[string variableName]
    {
        get => _exchange.GetParam(variableName);
        set => throw new NotSupportedException("CGI variables are read-only.");
    }
}
