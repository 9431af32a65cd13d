using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using FcgiActors.Client.Tests.Support;
using FcgiActors.Protocol;
using FcgiActors.Testing;

namespace FcgiActors.Client.Tests.Interop;

/// <summary>The client library against our real libfcgi echo.</summary>
public sealed class CEchoInteropTests
{
    private static readonly ClientSettings Settings = ClientSettings.Default with { ProbeTimeout = TimeSpan.FromMilliseconds(300) };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Post_IsEchoedByteForByte_OverTcpAndUnixSockets(bool unix)
    {
        await using var echo = await CEchoPeer.StartAsync(unix);
        await using var pool = new BackendPool(echo.Address, Settings);
        var body = new byte[300_000];
        Random.Shared.NextBytes(body);
        var stdin = new Pipe();
        var request = new FcgiClientRequest(
            [new("REQUEST_METHOD", "POST"), new("QUERY_STRING", "a=b"), new("CONTENT_LENGTH", body.Length.ToString())], stdin.Reader);

        await using var response = await pool.SendAsync(request);
        var writing = Task.Run(async () => { await stdin.Writer.WriteAsync(body); await stdin.Writer.CompleteAsync(); });
        var stdout = await ResponseReader.ReadBytesAsync(response.Stdout);
        var end = await response.Completion.WaitAsync(ResponseReader.Timeout);
        await writing;

        var head = Encoding.ASCII.GetBytes("Content-Type: text/plain\r\n\r\n");
        Assert.Equal(head, stdout[..head.Length]);
        var line = Encoding.ASCII.GetString(stdout, head.Length, Array.IndexOf(stdout, (byte)'\n', head.Length) - head.Length);
        Assert.Matches($"^query=a=b method=POST count=1 pid=\\d+ content_length={body.Length}$", line);
        Assert.Equal(body, stdout[^body.Length..]);
        Assert.Equal(0, end.AppStatus);
    }

    /// <summary>
    /// Pins the peer behaviour behind the client's rule that a one-at-a-time connection is not
    /// reused after an aborted request (docs/client.md, "Cancellation"): an ABORT_REQUEST that
    /// crossed the END_REQUEST makes libfcgi close the connection, and the next request is lost.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AbortRequestForAnEndedRequest_LibfcgiClosesTheConnection(bool pauseBeforeNextRequest)
    {
        await using var echo = await CEchoPeer.StartAsync();
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(echo.Address.ToEndPoint());
        (string, string)[] get = [("REQUEST_METHOD", "GET")];
        await socket.SendAsync(Records.Request(1, get, flags: BeginRequestFlags.KeepConn));
        var (first, _) = await ReadRecordsAsync(socket, stopAtEndRequest: true);
        Assert.Contains(first, r => r.Type == RecordType.EndRequest && r.RequestId == 1);

        await socket.SendAsync(Records.AbortRequest(1));
        if (pauseBeforeNextRequest)
        {
            await Task.Delay(200);
        }

        await socket.SendAsync(Records.Request(2, get, flags: BeginRequestFlags.KeepConn));
        var (rest, closed) = await ReadRecordsAsync(socket, stopAtEndRequest: true);

        Assert.True(closed, "libfcgi kept the connection: the client's rule may be relaxed");
        Assert.DoesNotContain(rest, r => r.Type == RecordType.EndRequest);
    }

    [Fact]
    public async Task RequestCancelledMidBody_TheNextRequestIsAnswered()
    {
        await using var echo = await CEchoPeer.StartAsync();
        await using var pool = new BackendPool(echo.Address, Settings with { MaxConnectionsPerBackend = 1 });
        using var cts = new CancellationTokenSource();
        var stdin = new Pipe();
        var request = new FcgiClientRequest([new("REQUEST_METHOD", "POST"), new("CONTENT_LENGTH", "100")], stdin.Reader);
        await using (var response = await pool.SendAsync(request, cts.Token))
        {
            await stdin.Writer.WriteAsync(new byte[10]); // the echo waits for the other 90 bytes
            await cts.CancelAsync();
            try
            {
                // The echo's END_REQUEST, or the abort timeout's failure: either way it ends.
                await response.Completion.WaitAsync(ResponseReader.Timeout);
            }
            catch (FcgiBackendException)
            {
            }
        }

        await using var next = await pool.SendAsync(ResponseReader.Request("", ("QUERY_STRING", "after=abort")));
        var (stdout, _, end) = await ResponseReader.ReadAllAsync(next);

        Assert.Contains("query=after=abort", stdout);
        Assert.Equal(0, end.AppStatus);
    }

    /// <summary>Records until an END_REQUEST (when asked) or the peer closes; 10 s at most.</summary>
    private static async Task<(List<CollectedRecord> Records, bool Closed)> ReadRecordsAsync(Socket socket, bool stopAtEndRequest)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            }
            catch (SocketException)
            {
                n = 0; // reset: closed as well
            }

            if (n == 0)
            {
                return (RecordCollector.ReadAll(received.ToArray()), true);
            }

            received.AddRange(buffer.AsSpan(0, n));
            var records = RecordCollector.ReadAll(received.ToArray());
            if (stopAtEndRequest && records.Exists(r => r.Type == RecordType.EndRequest))
            {
                return (records, false);
            }
        }
    }

    [Fact]
    public async Task SequentialRequests_ReuseOneKeptConnection()
    {
        await using var echo = await CEchoPeer.StartAsync();
        await using var pool = new BackendPool(echo.Address, Settings);

        var counts = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            await using var response = await pool.SendAsync(ResponseReader.Request("", ("REQUEST_METHOD", "GET")));
            var (stdout, _, end) = await ResponseReader.ReadAllAsync(response);
            counts.Add(Regex.Match(stdout, "count=(\\d+)").Groups[1].Value);
            Assert.Equal(0, end.AppStatus);
        }

        // libfcgi serves one connection per accept: a rising count on one process means one connection.
        Assert.Equal(["1", "2", "3", "4", "5"], counts);
        Assert.Equal(1, pool.OpenConnections);
    }

    [Fact]
    public async Task GetValuesProbe_ToLibfcgi_KeepsOneRequestPerConnection()
    {
        await using var echo = await CEchoPeer.StartAsync();
        await using var pool = new BackendPool(echo.Address, Settings with { MaxConnectionsPerBackend = 1 });

        var responses = new List<FcgiResponse>();
        for (var i = 0; i < 3; i++)
        {
            responses.Add(await pool.SendAsync(ResponseReader.Request("", ("QUERY_STRING", $"i={i}"))));
            var (stdout, _, end) = await ResponseReader.ReadAllAsync(responses[^1]);
            Assert.Contains($"query=i={i}", stdout);
            Assert.Equal(0, end.AppStatus);
        }

        Assert.Equal(1, pool.OpenConnections);
    }

    [Fact]
    public async Task AppStatusAndStderr_AreReported()
    {
        await using var echo = await CEchoPeer.StartAsync();
        await using var pool = new BackendPool(echo.Address, Settings);

        await using var response = await pool.SendAsync(ResponseReader.Request("", ("QUERY_STRING", "status=7&stderr=5")));
        var (_, stderr, end) = await ResponseReader.ReadAllAsync(response);

        Assert.Equal("eeeee\n", stderr);
        Assert.Equal(7, end.AppStatus);
    }

    [Fact]
    public async Task ConcurrentRequests_BeyondTheConnectionLimit_QueueAndAllComplete()
    {
        await using var echo = await CEchoPeer.StartAsync();
        // One libfcgi process serves one connection at a time: a second kept connection would
        // wait in its listen queue forever, so the pool gets exactly one (see peers/README.md).
        await using var pool = new BackendPool(echo.Address, Settings with { MaxConnectionsPerBackend = 1 });

        var tasks = Enumerable.Range(0, 6).Select(async i =>
        {
            await using var response = await pool.SendAsync(ResponseReader.Request($"body{i}", ("QUERY_STRING", $"n={i}")));
            var (stdout, _, _) = await ResponseReader.ReadAllAsync(response);
            return stdout;
        }).ToArray();
        var outputs = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));

        for (var i = 0; i < 6; i++)
        {
            Assert.Contains($"query=n={i}", outputs[i]);
            Assert.EndsWith($"body{i}", outputs[i]);
        }

        Assert.Equal(1, pool.OpenConnections);
    }
}
