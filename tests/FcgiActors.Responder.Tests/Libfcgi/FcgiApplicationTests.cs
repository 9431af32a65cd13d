using System.Net;
using System.Text;
using FcgiActors.Protocol;
using FcgiActors.Responder.Libfcgi;
using FcgiActors.Responder.Tests.Support;
using FcgiActors.Testing;

namespace FcgiActors.Responder.Tests.Libfcgi;

/// <summary>The libfcgi-shaped accept loop, driven by raw records over loopback.</summary>
public sealed class FcgiApplicationTests : IAsyncLifetime
{
    private FcgiApplication _app = null!;

    private IPEndPoint EndPoint => (IPEndPoint)_app.Server.BoundEndPoints[0];

    public async Task InitializeAsync()
    {
        _app = new FcgiApplication(ResponderSettings.Default with { Listen = [ListenAddress.Tcp(IPAddress.Loopback, 0)] });
        await _app.StartAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Runs a C-style synchronous accept loop on its own thread until shutdown.</summary>
    private Task RunLoop(Action<FcgxRequest> body) => Task.Factory.StartNew(() =>
    {
        var request = _app.InitRequest();
        while (_app.Accept(request) >= 0)
        {
            body(request);
        }
    }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private async Task<List<CollectedRecord>> SendAsync(byte[] request, ushort id = 1)
    {
        await using var connection = await RawConnection.ConnectAsync(EndPoint);
        await connection.SendAsync(request);
        return await connection.ReadUntilEndAsync(id);
    }

    [Fact]
    public async Task AcceptLoop_Fields_AreFilledFromTheRequest()
    {
        string? seen = null;
        var loop = RunLoop(r =>
        {
            seen = string.Join("|", r.QueryString, (int)r.Method, r.ContentLength, r.ParamCount, r.Params[0], r.Role, r.ConnFlags,
                r.KeepConnection, r.RequestCount, r.Version, r.RequestId, r.GetParam("CONTENT_LENGTH"), r.GetParam("NOPE") ?? "null");
            r.PutStr("Status: 200\r\n\r\nok");
        });

        var records = await SendAsync(TestServer.Request(3, TestServer.Post(4, "q=1"), "abcd"u8.ToArray()), 3);
        _app.ShutdownPending();
        await loop.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("Status: 200\r\n\r\nok", Responses.Stdout(records, 3));
        Assert.Equal("q=1|2|4|3|REQUEST_METHOD=POST|Responder|1|True|1|1|3|4|null", seen);
    }

    [Fact]
    public async Task QueryString_Absent_IsEmptyNotNull_AndMethodUnknownIs9()
    {
        string? seen = null;
        var loop = RunLoop(r => seen = "[" + r.QueryString + "]" + (int)r.Method + ":" + r.ContentLength);

        await SendAsync(TestServer.Request(1, [("REQUEST_METHOD", "PATCH")]));
        _app.ShutdownPending();
        await loop.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("[]9:0", seen);
    }

    [Fact]
    public async Task GetStr_ReadsTheBody_ThenReturns0AtTheEnd()
    {
        var loop = RunLoop(r =>
        {
            var buffer = new byte[3];
            var output = new List<byte>();
            int n;
            while ((n = r.GetStr(buffer, 3)) > 0)
            {
                output.AddRange(buffer[..n]);
            }

            r.PutStr("eof=" + r.HasSeenEof + " ");
            r.PutBytes(output.ToArray());
        });

        var records = await SendAsync(TestServer.Request(1, TestServer.Post(10), "0123456789"u8.ToArray()));
        _app.ShutdownPending();
        await loop.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("eof=True 0123456789", Responses.Stdout(records, 1));
    }

    [Fact]
    public async Task GetLine_GetChar_UnGetChar_ReadAsInLibfcgi()
    {
        var loop = RunLoop(r =>
        {
            var first = r.GetLine();
            var c = r.GetChar();
            r.UnGetChar(c);
            var second = r.GetLine();
            r.PutStr($"[{first}][{(char)c}][{second}][{r.GetLine() ?? "null"}]");
        });

        var records = await SendAsync(TestServer.Request(1, TestServer.Post(8), "ab\ncd\nef"u8.ToArray()));
        _app.ShutdownPending();
        await loop.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("[ab\n][c][cd\n][ef]", Responses.Stdout(records, 1));
    }

    [Fact]
    public async Task Flush_SendsBufferedOutputBeforeFinish_AndStderrToo()
    {
        var flushed = new TaskCompletionSource();
        var proceed = new TaskCompletionSource();
        var loop = RunLoop(r =>
        {
            r.PutStr("Content-Type: text/plain\r\n\r\nfirst ");
            r.PutStr("oops", FcgxStream.Err);
            r.Flush(FcgxStream.Out);
            r.Flush(FcgxStream.Err);
            flushed.SetResult();
            proceed.Task.Wait(TimeSpan.FromSeconds(5));
            r.PutStr("second");
            r.SetExitStatus(3);
            r.Finish();
        });
        await using var connection = await RawConnection.ConnectAsync(EndPoint);
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()));

        await flushed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        var early = new List<CollectedRecord> { (await connection.ReadRecordAsync())!, (await connection.ReadRecordAsync())! };
        proceed.SetResult();
        var rest = await connection.ReadUntilEndAsync(1);
        _app.ShutdownPending();
        await loop.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Contains(early, r => r.Type == RecordType.Stdout && r.ContentText.EndsWith("first ", StringComparison.Ordinal));
        Assert.Contains(early, r => r.Type == RecordType.Stderr && r.ContentText == "oops");
        var all = early.Concat(rest).ToList();
        Assert.EndsWith("first second", Responses.Stdout(all, 1));
        Assert.Equal(3, Responses.SingleEnd(all, 1).AppStatus);
    }

    [Fact]
    public async Task NextAccept_FinishesThePreviousRequest()
    {
        var request = _app.InitRequest();
        var accepting = _app.AcceptAsync(request);
        await using var connection = await RawConnection.ConnectAsync(EndPoint);
        await connection.SendAsync(TestServer.Request(1, TestServer.Get("one")));
        Assert.Equal(0, await accepting.WaitAsync(TimeSpan.FromSeconds(5)));
        request.PutStr("buffered " + request.QueryString);

        var next = _app.AcceptAsync(request);
        var records = await connection.ReadUntilEndAsync(1);

        Assert.Equal("buffered one", Responses.Stdout(records, 1));
        _app.ShutdownPending();
        Assert.Equal(-1, await next.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(FcgxErrorCode.Shutdown, request.LastError.Code);
    }

    [Fact]
    public async Task LargeOutput_IsSentAsTheBufferFills_WithoutExplicitFlush()
    {
        var loop = RunLoop(r =>
        {
            var chunk = new byte[10_000];
            Array.Fill(chunk, (byte)'z');
            for (var i = 0; i < 100; i++)
            {
                r.PutStr(chunk);
            }
        });

        var records = await SendAsync(TestServer.Request(1, TestServer.Get()));
        _app.ShutdownPending();
        await loop.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(1_000_000, RecordCollector.StreamContent(records, RecordType.Stdout, 1).Length);
    }

    [Fact]
    public async Task Abort_MakesReadsFail_WithANegativeLastError()
    {
        var result = new TaskCompletionSource<(int, FcgxError)>();
        var accepted = new TaskCompletionSource();
        var loop = RunLoop(r =>
        {
            accepted.TrySetResult();
            var buffer = new byte[100];
            var n = r.GetStr(buffer);
            result.TrySetResult((n, r.LastError));
        });
        await using var connection = await RawConnection.ConnectAsync(EndPoint);
        await connection.SendAsync(Records.BeginRequest(1, Role.Responder, BeginRequestFlags.KeepConn), Records.Params(1, TestServer.Post(100)));
        await accepted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await connection.SendAsync(Records.AbortRequest(1));

        var (count, error) = await result.Task.WaitAsync(TimeSpan.FromSeconds(5));
        _app.ShutdownPending();
        await loop.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(-1, count);
        Assert.True(error.Value < 0);
        Assert.NotEmpty(error.Description);
        Assert.Single(await connection.ReadUntilEndAsync(1), r => r.Type == RecordType.EndRequest);
    }

    [Fact]
    public void PutStr_WithoutAcceptedRequest_IsACallSequenceError()
    {
        var request = _app.InitRequest();

        Assert.Equal(-1, request.PutStr("x"));
        Assert.Equal(FcgxErrorCode.CallSequenceError, request.LastError.Code);
        Assert.Equal(-5, request.LastError.Value);
    }

    [Fact]
    public async Task FilterRole_StartFilterData_SwitchesInToData()
    {
        var loop = RunLoop(r =>
        {
            var stdin = r.GetLine();
            var before = r.GetLine();
            r.StartFilterData();
            r.PutStr($"{stdin}|{before ?? "null"}|{r.GetLine()}");
        });

        var records = await SendAsync(Records.Concat(
            Records.BeginRequest(1, Role.Filter, BeginRequestFlags.KeepConn),
            Records.Params(1, ("FCGI_DATA_LENGTH", "4")),
            Records.Stream(RecordType.Stdin, 1, "in"u8.ToArray()),
            Records.Stream(RecordType.Data, 1, "data"u8.ToArray())));
        _app.ShutdownPending();
        await loop.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("in|null|data", Responses.Stdout(records, 1));
    }

    [Fact]
    public async Task EnsureCapacity_ThenPutStr_Works()
    {
        var loop = RunLoop(r =>
        {
            Assert.Equal(0, r.EnsureCapacity(50_000));
            r.PutStr(new string('k', 50_000));
        });

        var records = await SendAsync(TestServer.Request(1, TestServer.Get()));
        _app.ShutdownPending();
        await loop.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(50_000, Responses.Stdout(records, 1).Length);
    }

    [Theory]
    [InlineData("a%20b+c", "a b c")]
    [InlineData("%41%42%43", "ABC")]
    [InlineData("100%", "100%")]
    [InlineData("%zz%4", "%zz%4")]
    [InlineData("caf%C3%A9", "café")]
    [InlineData("", "")]
    public void UrlDecode_DecodesInPlace_AndReturnsTheNewLength(string encoded, string decoded)
    {
        var bytes = Encoding.UTF8.GetBytes(encoded);

        var length = FcgxRequest.UrlDecode(bytes);

        Assert.Equal(decoded, Encoding.UTF8.GetString(bytes, 0, length));
        Assert.Equal(decoded, FcgxRequest.UrlDecode(encoded));
    }
}
