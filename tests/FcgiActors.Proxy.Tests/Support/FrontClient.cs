using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FcgiActors.Protocol;
using FcgiActors.Testing;

namespace FcgiActors.Proxy.Tests.Support;

/// <summary>What a web server gets back for one request.</summary>
public sealed record FrontResponse(string Stdout, string Stderr, int AppStatus, ProtocolStatus ProtocolStatus)
{
    /// <summary>The CGI `Status:` header, 200 when absent.</summary>
    public int Status
    {
        get
        {
            foreach (var line in Stdout.Split("\r\n"))
            {
                if (line.Length == 0)
                {
                    break;
                }

                if (line.StartsWith("Status:", StringComparison.OrdinalIgnoreCase))
                {
                    return int.Parse(line.AsSpan(7).Trim()[..3], provider: System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            return 200;
        }
    }

    /// <summary>The body after the CGI headers.</summary>
    public string Body => Stdout.StartsWith("\r\n", StringComparison.Ordinal) ? Stdout[2..] : Stdout.Contains("\r\n\r\n", StringComparison.Ordinal) ? Stdout[(Stdout.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..] : Stdout;
}

/// <summary>
/// A front connection that behaves like nginx: request ID 1, one request at a time, records
/// built by hand (<see cref="Records"/>), so the proxy is checked against independent bytes.
/// </summary>
public sealed class FrontClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;

    private FrontClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = PipeReader.Create(_stream);
    }

    public static async Task<FrontClient> ConnectAsync(EndPoint proxy, CancellationToken ct)
    {
        var socket = proxy is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(proxy, ct);
        return new FrontClient(socket);
    }

    /// <summary>One whole request and its answer on a fresh connection.</summary>
    public static async Task<FrontResponse> RequestAsync(EndPoint proxy, IEnumerable<(string, string)> pairs, byte[]? body, CancellationToken ct)
    {
        await using var client = await ConnectAsync(proxy, ct);
        await client.SendRequestAsync(1, pairs, body, ct);
        return await client.ReadResponseAsync(1, ct);
    }

    /// <summary>The usual CGI params for a request to <paramref name="script"/>.</summary>
    public static (string, string)[] Params(string query = "", string method = "GET", int contentLength = 0, string script = "/srv/app/index.php", params (string, string)[] extra) =>
        [("REQUEST_METHOD", method), ("QUERY_STRING", query), ("CONTENT_LENGTH", contentLength > 0 ? contentLength.ToString(System.Globalization.CultureInfo.InvariantCulture) : ""),
         ("SCRIPT_FILENAME", script), ("SERVER_PROTOCOL", "HTTP/1.1"), ("GATEWAY_INTERFACE", "CGI/1.1"), .. extra];

    public async Task SendRequestAsync(ushort id, IEnumerable<(string, string)> pairs, byte[]? body, CancellationToken ct, bool endStdin = true, BeginRequestFlags flags = BeginRequestFlags.None)
    {
        var parts = new List<byte[]>
        {
            Records.BeginRequest(id, Role.Responder, flags),
            Records.Params(id, pairs.ToArray()),
            Records.MakeRecord(RecordType.Params, id, []),
        };
        if (body is { Length: > 0 })
        {
            parts.Add(Records.Stream(RecordType.Stdin, id, body)[..^8]); // without its empty record
        }

        if (endStdin)
        {
            parts.Add(Records.MakeRecord(RecordType.Stdin, id, []));
        }

        await _stream.WriteAsync(Records.Concat(parts.ToArray()), ct);
    }

    public async Task<FrontResponse> ReadResponseAsync(ushort id, CancellationToken ct)
    {
        var records = await RecordCollector.ReadUntilAsync(_reader, r => r.Type == RecordType.EndRequest && r.RequestId == id, ct);
        var stdout = Records.Concat(records.Where(r => r.Type == RecordType.Stdout).Select(r => r.Content).ToArray());
        var stderr = Records.Concat(records.Where(r => r.Type == RecordType.Stderr).Select(r => r.Content).ToArray());
        var end = EndRequestBody.Parse(records[^1].Content);
        return new FrontResponse(Encoding.UTF8.GetString(stdout), Encoding.UTF8.GetString(stderr), end.AppStatus, end.ProtocolStatus);
    }

    /// <summary>Reads until the first STDOUT bytes arrive (the backend is answering).</summary>
    public async Task<string> ReadFirstOutputAsync(CancellationToken ct)
    {
        while (await RecordCollector.ReadRecordAsync(_reader, ct) is { } record)
        {
            if (record.Type == RecordType.Stdout && record.Content.Length > 0)
            {
                return record.ContentText;
            }
        }

        throw new InvalidOperationException("The proxy closed the connection before any output.");
    }

    /// <summary>Closes the socket abruptly, like a browser going away behind nginx.</summary>
    public void Abort() => _socket.Close(0);

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
