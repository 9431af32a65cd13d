using System.Net;
using System.Net.Sockets;
using System.Text;
using FcgiActors.Client.Bridge;
using FcgiActors.Client.Tests.Support;
using FcgiActors.Protocol;
using FcgiActors.Testing;

namespace FcgiActors.Client.Tests.Bridge;

/// <summary>The bridge in process, against scripted backends on loopback sockets: the cases cgi-fcgi gets wrong.</summary>
public sealed class BridgeRunnerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private sealed record Run(Task<int> Exit, MemoryStream Stdout, MemoryStream Stderr)
    {
        public string StderrText => Encoding.UTF8.GetString(Stderr.ToArray());

        public string StdoutText => Encoding.UTF8.GetString(Stdout.ToArray());
    }

    private static Run Start(LoopbackBackend backend, byte[] stdin, Stream? stdout = null, params (string, string)[] env)
    {
        var output = new MemoryStream();
        var errors = new MemoryStream();
        var exit = Task.Run(() => new BridgeRunner().Run(["-bind", "-connect", backend.Address.ToString()], BridgeEnvironment.Of(env),
            new MemoryStream(stdin), stdout ?? output, errors));
        return new Run(exit, output, errors);
    }

    [Fact]
    public async Task Request_SendsGetValuesFirst_ThenTheEnvironmentAndExactlyContentLengthBytes()
    {
        await using var backend = new LoopbackBackend();
        var run = Start(backend, "0123456789"u8.ToArray(), null, ("CONTENT_LENGTH", "4"), ("A", "b"));
        var script = await backend.AcceptAsync();

        var records = await script.ReadRequestAsync(1);

        Assert.Equal(RecordType.GetValues, records[0].Type);
        Assert.Equal(RecordType.BeginRequest, records[1].Type);
        Assert.Equal(0, records[1].Content[2]); // no FCGI_KEEP_CONN, as cgi-fcgi
        Assert.Equal(Records.Concat(Records.NameValuePair("CONTENT_LENGTH", "4"), Records.NameValuePair("A", "b")),
            RecordCollector.StreamContent(records, RecordType.Params, 1));
        Assert.Equal("0123"u8.ToArray(), RecordCollector.StreamContent(records, RecordType.Stdin, 1));
        await script.SendAsync(ScriptedBackend.Answer(1, "done", appStatus: 5));
        Assert.Equal(5, await run.Exit.WaitAsync(Wait));
        Assert.Equal("done", run.StdoutText);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("-5")]
    public async Task MissingOrInvalidContentLength_SendsNoBody(string? contentLength)
    {
        await using var backend = new LoopbackBackend();
        var run = Start(backend, "unread"u8.ToArray(), null, contentLength is null ? [] : [("CONTENT_LENGTH", contentLength)]);
        var script = await backend.AcceptAsync();

        var records = await script.ReadRequestAsync(1);

        Assert.Empty(RecordCollector.StreamContent(records, RecordType.Stdin, 1));
        await script.SendAsync(ScriptedBackend.Answer(1, ""));
        Assert.Equal(0, await run.Exit.WaitAsync(Wait));
    }

    [Fact]
    public async Task ShortStdin_SendsWhatThereIs_AndEndsTheStream()
    {
        await using var backend = new LoopbackBackend();
        var run = Start(backend, "abc"u8.ToArray(), null, ("CONTENT_LENGTH", "1000"));
        var script = await backend.AcceptAsync();

        var records = await script.ReadRequestAsync(1);

        Assert.Equal("abc"u8.ToArray(), RecordCollector.StreamContent(records, RecordType.Stdin, 1));
        await script.SendAsync(ScriptedBackend.Answer(1, ""));
        Assert.Equal(0, await run.Exit.WaitAsync(Wait));
    }

    [Fact]
    public async Task HeadersAndEndRequestBody_SplitAcrossReads_AndGetValuesResultFirst_AreHandled()
    {
        await using var backend = new LoopbackBackend();
        var run = Start(backend, [], null);
        var script = await backend.AcceptAsync();
        await script.ReadRequestAsync(1);

        await script.SendByteByByteAsync(Records.Concat(
            Records.MakeRecord(RecordType.GetValuesResult, 0, Records.NameValuePair("FCGI_MPXS_CONNS", "0")),
            Records.UnknownType(99),
            Records.MakeRecord(RecordType.Stderr, 1, "careful\n"u8, padding: 7),
            ScriptedBackend.Answer(1, "Status: 200\r\n\r\nsplit", appStatus: 2)));

        Assert.Equal(2, await run.Exit.WaitAsync(Wait));
        Assert.Equal("Status: 200\r\n\r\nsplit", run.StdoutText);
        Assert.Equal("careful\n", run.StderrText);
    }

    [Fact]
    public async Task Overloaded_ExitsWithItsOwnCodeAndAMessage()
    {
        await using var backend = new LoopbackBackend();
        var run = Start(backend, [], null);
        var script = await backend.AcceptAsync();
        await script.ReadRequestAsync(1);

        await script.SendAsync(Records.EndRequest(1, 0, ProtocolStatus.Overloaded));

        Assert.Equal(BridgeExitCodes.Overloaded, await run.Exit.WaitAsync(Wait));
        Assert.Contains("overloaded (FCGI_OVERLOADED)", run.StderrText);
        Assert.Single(run.StderrText.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData(ProtocolStatus.CantMpxConn, "FCGI_CANT_MPX_CONN")]
    [InlineData(ProtocolStatus.UnknownRole, "FCGI_UNKNOWN_ROLE")]
    public async Task OtherProtocolStatuses_ExitWithTheProtocolErrorCode(ProtocolStatus status, string named)
    {
        await using var backend = new LoopbackBackend();
        var run = Start(backend, [], null);
        var script = await backend.AcceptAsync();
        await script.ReadRequestAsync(1);

        await script.SendAsync(Records.EndRequest(1, 0, status));

        Assert.Equal(BridgeExitCodes.ProtocolError, await run.Exit.WaitAsync(Wait));
        Assert.Contains(named, run.StderrText);
    }

    [Fact]
    public async Task CloseBeforeEndRequest_ExitsWithProtocolError()
    {
        await using var backend = new LoopbackBackend();
        var run = Start(backend, [], null);
        var script = await backend.AcceptAsync();
        await script.ReadRequestAsync(1);

        await script.SendAsync(Records.MakeRecord(RecordType.Stdout, 1, "half"u8));
        backend.CloseConnection();

        Assert.Equal(BridgeExitCodes.ProtocolError, await run.Exit.WaitAsync(Wait));
        Assert.Equal("half", run.StdoutText);
        Assert.StartsWith("fcgi bridge: ", run.StderrText);
        Assert.Single(run.StderrText.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task WrongVersion_ExitsWithUnsupportedVersion()
    {
        await using var backend = new LoopbackBackend();
        var run = Start(backend, [], null);
        var script = await backend.AcceptAsync();
        await script.ReadRequestAsync(1);

        await script.SendAsync(Records.MakeRecord(RecordType.Stdout, 1, "x"u8, version: 2));

        Assert.Equal(BridgeExitCodes.UnsupportedVersion, await run.Exit.WaitAsync(Wait));
    }

    [Fact]
    public async Task BrokenStdout_SendsAbortRequest_AndExitsWithBrokenPipe()
    {
        await using var backend = new LoopbackBackend();
        var run = Start(backend, [], new BrokenStream());
        var script = await backend.AcceptAsync();
        await script.ReadRequestAsync(1);

        await script.SendAsync(Records.MakeRecord(RecordType.Stdout, 1, "nobody reads this"u8));
        var abort = await script.ReadAsync();
        Assert.Equal(RecordType.AbortRequest, abort.Type);
        await script.SendAsync(Records.EndRequest(1, 0));

        Assert.Equal(BridgeExitCodes.BrokenPipe, await run.Exit.WaitAsync(Wait));
        Assert.Contains("broken pipe", run.StderrText);
    }

    [Fact]
    public void BadArguments_PrintUsage_AndExit1()
    {
        var errors = new MemoryStream();
        var exit = new BridgeRunner().Run(["-connect"], BridgeEnvironment.Of(), Stream.Null, Stream.Null, errors);

        Assert.Equal(BridgeExitCodes.Usage, exit);
        var text = Encoding.UTF8.GetString(errors.ToArray());
        Assert.StartsWith("Missing connection name after -connect\nMissing application pathname\nMissing -connect <connName>\nUsage:", text);
    }

    [Fact]
    public void Help_PrintsUsageOnStdout_AndExits0()
    {
        var output = new MemoryStream();
        var exit = new BridgeRunner().Run(["-h"], BridgeEnvironment.Of(), Stream.Null, output, Stream.Null);

        Assert.Equal(0, exit);
        Assert.StartsWith("Usage:\n    fcgi bridge -f <cmdPath>", Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task StartWithAppThatIsNotExecutable_Exits1WithCgiFcgisMessage()
    {
        var directory = Directory.CreateTempSubdirectory("fcgi-bridge-noexec-").FullName;
        try
        {
            var app = Path.Combine(directory, "app");
            await File.WriteAllTextAsync(app, "not a program");
            var errors = new MemoryStream();

            var exit = new BridgeRunner().Run(["-start", "-connect", Path.Combine(directory, "s.sock"), app], BridgeEnvironment.Of(),
                Stream.Null, Stream.Null, errors);

            Assert.Equal(BridgeExitCodes.NotExecutable, exit);
            Assert.Equal($"{app} is not executable\n", Encoding.UTF8.GetString(errors.ToArray()));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Connect_ToAUnixListenerWhoseQueueIsFull_GivesUpAfterTheConnectTimeout_WithEtimedout()
    {
        var directory = Directory.CreateTempSubdirectory("fcgi-bridge-full-").FullName;
        var path = Path.Combine(directory, "full.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(0); // never accepted: one connection fills the queue, the next one blocks in connect(2)
        var queued = FillAcceptQueue(() => new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified),
            new UnixDomainSocketEndPoint(path), static (socket, error) => error == SocketError.WouldBlock ? false : null);
        try
        {
            AssertConnectTimesOut(path);
        }
        finally
        {
            queued.ForEach(s => s.Dispose());
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Connect_ToATcpListenerWhoseQueueIsFull_GivesUpAfterTheConnectTimeout_WithEtimedout()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0); // never accepted: once its queue is full, the kernel drops further SYNs
        var endPoint = (IPEndPoint)listener.LocalEndPoint!;
        var queued = FillAcceptQueue(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp),
            endPoint, static (socket, error) => error == SocketError.WouldBlock
                ? socket.Poll(TimeSpan.FromSeconds(1.5), SelectMode.SelectWrite) // SYN-ACK came: queued; none: SYN dropped
                : null);
        try
        {
            AssertConnectTimesOut(endPoint.ToString());
        }
        finally
        {
            queued.ForEach(s => s.Dispose());
        }
    }

    /// <summary>
    /// Non-blocking connects until one does not complete (<paramref name="completed"/> says, from
    /// the connect's error, whether it did; null: an unexpected error). Returns every socket opened,
    /// the last one still connecting, so that the queue stays full while they are open.
    /// </summary>
    private static List<Socket> FillAcceptQueue(Func<Socket> create, EndPoint endPoint, Func<Socket, SocketError, bool?> completed)
    {
        var sockets = new List<Socket>();
        for (var i = 0; i < 16; i++)
        {
            var socket = create();
            socket.Blocking = false;
            sockets.Add(socket);
            bool? done;
            try
            {
                socket.Connect(endPoint);
                done = true;
            }
            catch (SocketException e)
            {
                done = completed(socket, e.SocketErrorCode);
            }

            Assert.True(done.HasValue, $"connect {i} to {endPoint} failed unexpectedly");
            if (done == false)
            {
                return sockets;
            }
        }

        Assert.Fail($"{endPoint} kept accepting connections into its queue");
        return sockets;
    }

    private static void AssertConnectTimesOut(string address)
    {
        var timeout = TimeSpan.FromMilliseconds(400);
        var errors = new MemoryStream();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var exit = new BridgeRunner(new BridgeSettings { ConnectTimeout = timeout })
            .Run(["-bind", "-connect", address], BridgeEnvironment.Of(), Stream.Null, Stream.Null, errors);

        clock.Stop();
        Assert.Equal(BridgeExitCodes.ConnectTimedOut, exit);
        Assert.Equal($"Could not connect to {address}\n", Encoding.UTF8.GetString(errors.ToArray()));
        Assert.InRange(clock.Elapsed, timeout - TimeSpan.FromMilliseconds(50), Wait);
    }

    /// <summary>A stdout whose reader has gone: every write fails as EPIPE does.</summary>
    private sealed class BrokenStream : MemoryStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new IOException("Broken pipe"));

        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("Broken pipe");
    }
}
