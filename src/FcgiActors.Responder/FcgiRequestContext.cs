using System.IO.Pipelines;
using System.Net;
using FcgiActors.Protocol;
using FcgiActors.Responder.Connections;

namespace FcgiActors.Responder;

/// <summary>
/// One FastCGI request as a handler sees it: PARAMS, the STDIN (and FILTER's DATA) streams as
/// pipes, STDOUT and STDERR as pipes, the END_REQUEST statuses, and a token that fires on
/// ABORT_REQUEST, connection loss, or shutdown past the drain timeout.
/// </summary>
public sealed class FcgiRequestContext
{
    private readonly RequestState _state;
    private Stream? _bodyStream;
    private Stream? _outputStream;
    private Stream? _errorStream;
    private string? _queryString;

    internal FcgiRequestContext(RequestState state, string connectionId, EndPoint? remoteEndPoint)
    {
        _state = state;
        ConnectionId = connectionId;
        RemoteEndPoint = remoteEndPoint;
        Params = state.Params;
        Method = ParseMethod(Params);
        ContentLength = ParseContentLength(Params);
    }

    /// <summary>The FastCGI request ID (per connection).</summary>
    public ushort RequestId => _state.Id;

    /// <summary>The connection this request arrived on, as named in logs.</summary>
    public string ConnectionId { get; }

    /// <summary>RESPONDER, AUTHORIZER or FILTER (§6).</summary>
    public Role Role => _state.Role;

    /// <summary>FCGI_KEEP_CONN was set on BEGIN_REQUEST.</summary>
    public bool KeepConnection => _state.KeepConnection;

    /// <summary>PARAMS as received.</summary>
    public FcgiParams Params { get; }

    /// <summary>QUERY_STRING, empty when absent; never null.</summary>
    public string QueryString => _queryString ??= Params.Get("QUERY_STRING") ?? "";

    /// <summary>REQUEST_METHOD as a code.</summary>
    public RequestMethod Method { get; }

    /// <summary>CONTENT_LENGTH when present and a valid number.</summary>
    public long? ContentLength { get; }

    /// <summary>STDIN: at most the configured window is buffered; read it (or complete it) promptly.</summary>
    public PipeReader Body => _state.Stdin!.Reader;

    /// <summary>STDIN as a stream.</summary>
    public Stream BodyStream => _bodyStream ??= Body.AsStream();

    /// <summary>The FILTER role's DATA stream (§6.4); empty for other roles.</summary>
    public PipeReader Data => _state.Data?.Reader ?? EmptyReader.Instance;

    /// <summary>STDOUT. Bytes go out when flushed, or when the handler returns.</summary>
    public PipeWriter Output => _state.OutputWriter!;

    /// <summary>STDOUT as a stream.</summary>
    public Stream OutputStream => _outputStream ??= Output.AsStream();

    /// <summary>STDERR (the web server usually logs it).</summary>
    public PipeWriter Error => _state.GetErrorWriter(_state.Connection.Server);

    /// <summary>STDERR as a stream.</summary>
    public Stream ErrorStream => _errorStream ??= Error.AsStream();

    /// <summary>END_REQUEST appStatus, the would-be CGI exit status (default 0).</summary>
    public int AppStatus { get; set; }

    /// <summary>END_REQUEST protocolStatus (default REQUEST_COMPLETE; a proxy may relay OVERLOADED).</summary>
    public ProtocolStatus ProtocolStatus { get; set; } = ProtocolStatus.RequestComplete;

    /// <summary>Fires on ABORT_REQUEST, connection loss, or shutdown past the drain timeout.</summary>
    public CancellationToken Aborted => _state.Aborted!.Token;

    /// <summary>The web server's address (null for a Unix socket peer without a name).</summary>
    public EndPoint? RemoteEndPoint { get; }

    internal RequestState State => _state;

    internal static RequestMethod ParseMethod(FcgiParams parameters)
    {
        var index = parameters.IndexOf("REQUEST_METHOD"u8);
        if (index < 0)
        {
            return RequestMethod.Unknown;
        }

        var value = parameters.ValueSpan(index);
        return value switch
        {
            _ when value.SequenceEqual("GET"u8) => RequestMethod.Get,
            _ when value.SequenceEqual("POST"u8) => RequestMethod.Post,
            _ when value.SequenceEqual("HEAD"u8) => RequestMethod.Head,
            _ when value.SequenceEqual("PUT"u8) => RequestMethod.Put,
            _ when value.SequenceEqual("DELETE"u8) => RequestMethod.Delete,
            _ when value.SequenceEqual("OPTIONS"u8) => RequestMethod.Options,
            _ when value.SequenceEqual("TRACE"u8) => RequestMethod.Trace,
            _ when value.SequenceEqual("CONNECT"u8) => RequestMethod.Connect,
            _ => RequestMethod.Unknown,
        };
    }

    internal static long? ParseContentLength(FcgiParams parameters)
    {
        var index = parameters.IndexOf("CONTENT_LENGTH"u8);
        if (index < 0)
        {
            return null;
        }

        return System.Buffers.Text.Utf8Parser.TryParse(parameters.ValueSpan(index), out long value, out var consumed)
               && consumed == parameters.ValueSpan(index).Length && value >= 0
            ? value
            : null;
    }

    private sealed class EmptyReader : PipeReader
    {
        public static readonly EmptyReader Instance = new();

        public override void AdvanceTo(SequencePosition consumed) { }

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) { }

        public override void CancelPendingRead() { }

        public override void Complete(Exception? exception = null) { }

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
            new(new ReadResult(default, isCanceled: false, isCompleted: true));

        public override bool TryRead(out ReadResult result)
        {
            result = new ReadResult(default, isCanceled: false, isCompleted: true);
            return true;
        }
    }
}
