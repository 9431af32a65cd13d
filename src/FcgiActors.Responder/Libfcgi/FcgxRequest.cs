using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using FcgiActors.Protocol;

namespace FcgiActors.Responder.Libfcgi;

/// <summary>
/// FCGX_Request: the request a libfcgi-style loop is serving, with libfcgi's fields and
/// functions. Output is buffered and sent on <see cref="Flush"/>, on <see cref="Finish"/>, or
/// by the next Accept (which finishes the previous request); large output is sent as the
/// buffer passes 64 KiB. Failures return -1 and set <see cref="LastError"/> instead of throwing,
/// as C callers expect.
/// </summary>
public sealed partial class FcgxRequest
{
    private const int AutoFlushBytes = 64 * 1024;
    private readonly FcgiApplication _application;
    private FcgiApplication.PendingRequest? _current;
    private Stream? _in;
    private string[] _params = [];
    private int _peeked = -1;

    internal FcgxRequest(FcgiApplication application) => _application = application;

    /// <summary>The modern view of the current request (null between requests).</summary>
    public FcgiRequestContext? Context => _current?.Context;

    /// <summary>True between Accept and Finish.</summary>
    public bool IsActive => _current is not null;

    /// <summary>FCGX_Request.requestId.</summary>
    public int RequestId => Context?.RequestId ?? 0;

    /// <summary>FCGX_Request.role: RESPONDER, AUTHORIZER or FILTER.</summary>
    public Role Role => Context?.Role ?? Role.Responder;

    /// <summary>FCGX_Request.keepConnection as flags: 1 (FCGI_KEEP_CONN) or 0.</summary>
    public int ConnFlags => KeepConnection ? (int)BeginRequestFlags.KeepConn : 0;

    /// <summary>FCGI_KEEP_CONN was set.</summary>
    public bool KeepConnection => Context?.KeepConnection ?? false;

    /// <summary>QUERY_STRING, empty (never null) when absent.</summary>
    public string QueryString => Context?.QueryString ?? "";

    /// <summary>REQUEST_METHOD as a code: GET=1, POST=2, HEAD=3, PUT=4, DELETE=5, OPTIONS=6, TRACE=7, CONNECT=8, UNKNOWN=9.</summary>
    public RequestMethod Method => Context?.Method ?? RequestMethod.Unknown;

    /// <summary>CONTENT_LENGTH, 0 when absent or not a number.</summary>
    public long ContentLength => Context?.ContentLength ?? 0;

    /// <summary>The environment (FCGX_Request.envp): "NAME=value" strings in the order received.</summary>
    public IReadOnlyList<string> Params => _params;

    /// <summary>Number of <see cref="Params"/>.</summary>
    public int ParamCount => _params.Length;

    /// <summary>Requests accepted by the application when this one was (1 for the first).</summary>
    public long RequestCount { get; private set; }

    /// <summary>The FastCGI protocol version spoken (FCGI_VERSION_1).</summary>
    public int Version => FcgiConstants.Version1;

    /// <summary>The last failure: negative code and description (FCGX_GetError).</summary>
    public FcgxError LastError { get; private set; } = FcgxError.None;

    /// <summary>STDIN (DATA after <see cref="StartFilterData"/>) as a stream.</summary>
    public Stream In => _in ??= Require().BodyStream;

    /// <summary>STDOUT as a stream (each Write is flushed; prefer PutStr for buffering).</summary>
    public Stream Out => Require().OutputStream;

    /// <summary>STDERR as a stream.</summary>
    public Stream Err => Require().ErrorStream;

    /// <summary>FCGX_GetParam: the value of <paramref name="name"/>, or null.</summary>
    public string? GetParam(string name) => Context?.Params.Get(name);

    /// <summary>FCGX_SetExitStatus: the appStatus of END_REQUEST.</summary>
    public void SetExitStatus(int status) => Require().AppStatus = status;

    /// <summary>FCGX_ClearError.</summary>
    public void ClearError() => LastError = FcgxError.None;

    /// <summary>
    /// FCGX_StartFilterData: for a FILTER request whose STDIN has been read to the end, switch
    /// <see cref="In"/> to the DATA stream. Returns 0, or -1 (and sets <see cref="LastError"/>).
    /// </summary>
    public int StartFilterData()
    {
        var context = Require();
        if (context.Role != Role.Filter)
        {
            return Fail(FcgxErrorCode.CallSequenceError, "StartFilterData on a request whose role is not FILTER.");
        }

        _in = context.Data.AsStream();
        _peeked = -1;
        return 0;
    }

    /// <summary>
    /// FCGX_Finish_r: sends the buffered output and ends the request (END_REQUEST follows).
    /// Harmless when no request is active.
    /// </summary>
    public void Finish()
    {
        var current = _current;
        if (current is null)
        {
            return;
        }

        _current = null;
        _in = null;
        _peeked = -1;
        _params = [];
        current.Finished.TrySetResult();
    }

    /// <summary>FCGX_Finish_r for async callers.</summary>
    public Task FinishAsync()
    {
        Finish();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Makes room for <paramref name="bytes"/> more output bytes in one contiguous buffer, so
    /// the next PutStr of that size copies once (libfcgi2's EnsureCapacity). Returns 0 or -1.
    /// </summary>
    public int EnsureCapacity(int bytes)
    {
        if (bytes < 0)
        {
            return Fail(FcgxErrorCode.CallSequenceError, "EnsureCapacity with a negative size.");
        }

        var context = Context;
        if (context is null)
        {
            return Fail(FcgxErrorCode.CallSequenceError, "EnsureCapacity without an accepted request.");
        }

        _ = context.Output.GetSpan(Math.Min(bytes, 1024 * 1024));
        return 0;
    }

    /// <summary>
    /// Decodes %XX escapes and '+' (as a space) in place, as libfcgi2's UrlDecode; malformed
    /// escapes are kept as they are. Returns the new length.
    /// </summary>
    public static int UrlDecode(Span<byte> text)
    {
        var write = 0;
        for (var read = 0; read < text.Length; read++)
        {
            var b = text[read];
            if (b == (byte)'+')
            {
                b = (byte)' ';
            }
            else if (b == (byte)'%' && read + 2 < text.Length && IsHex(text[read + 1]) && IsHex(text[read + 2]))
            {
                b = (byte)((Hex(text[read + 1]) << 4) | Hex(text[read + 2]));
                read += 2;
            }

            text[write++] = b;
        }

        return write;
    }

    /// <summary>URL-decodes a string (UTF-8 bytes after decoding).</summary>
    public static string UrlDecode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetBytes(text);
        return Encoding.UTF8.GetString(bytes, 0, UrlDecode(bytes));
    }

    internal void Attach(FcgiApplication.PendingRequest pending, long count)
    {
        _current = pending;
        _in = null;
        _peeked = -1;
        RequestCount = count;
        HasSeenEof = false;
        LastError = FcgxError.None;
        var parameters = pending.Context.Params;
        var envp = new string[parameters.Count];
        for (var i = 0; i < envp.Length; i++)
        {
            envp[i] = parameters.NameAt(i) + "=" + parameters.ValueAt(i);
        }

        _params = envp;
    }

    internal int Fail(FcgxErrorCode code, string description)
    {
        LastError = new FcgxError(code, description);
        return -1;
    }

    private FcgiRequestContext Require() =>
        Context ?? throw new InvalidOperationException("No request is active: call Accept first (FCGX_CALL_SEQ_ERROR).");

    private PipeWriter? Writer(FcgxStream stream) => stream switch
    {
        FcgxStream.Out => Context?.Output,
        FcgxStream.Err => Context?.Error,
        _ => null,
    };

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    private static int Hex(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
