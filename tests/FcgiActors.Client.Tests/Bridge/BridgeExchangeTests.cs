using System.Text;
using FcgiActors.Client.Bridge;
using FcgiActors.Client.Tests.Support;
using FcgiActors.Protocol;
using FcgiActors.Testing;

namespace FcgiActors.Client.Tests.Bridge;

/// <summary>The bridge's direct exchange on a real loopback socket: the request body and the response streams.</summary>
public sealed class BridgeExchangeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static Task<int> Start(LoopbackBackend backend, Stream stdin, Stream stdout, Stream stderr, params (string, string)[] env) =>
        Task.Run(() => new BridgeRunner().Run(["-bind", "-connect", backend.Address.ToString()], BridgeEnvironment.Of(env), stdin, stdout, stderr));

    [Theory]
    [InlineData(1, false)]
    [InlineData(65_527, false)]
    [InlineData(65_528, false)]     // exactly one full record
    [InlineData(65_529, false)]     // one full record and one byte
    [InlineData(131_056, false)]    // exactly two full records
    [InlineData(131_057, false)]
    [InlineData(1_000_003, false)]
    [InlineData(1, true)]           // stdin as the CLI has it: a descriptor, read with readv into 4-record slots
    [InlineData(65_528, true)]
    [InlineData(65_529, true)]
    [InlineData(262_112, true)]     // exactly four full records: one readv
    [InlineData(262_113, true)]     // four and one byte: the byte comes with the second readv
    [InlineData(1_000_003, true)]
    public async Task Body_AroundRecordBoundaries_ArrivesWhole_InRecordsOfAtMost65528Bytes_EndedOnce(int length, bool fromDescriptor)
    {
        await using var backend = new LoopbackBackend();
        var body = new byte[length];
        Random.Shared.NextBytes(body);
        var path = Path.GetTempFileName();
        await File.WriteAllBytesAsync(path, body);
        using var handle = File.OpenHandle(path);
        try
        {
            Stream stdin = fromDescriptor ? new DescriptorStream((int)handle.DangerousGetHandle(), writable: false) : new MemoryStream(body);
            var exit = Start(backend, stdin, new MemoryStream(), new MemoryStream(), ("CONTENT_LENGTH", length.ToString()));
            var script = await backend.AcceptAsync();

            var records = await script.ReadRequestAsync(1);

            var stdinRecords = records.Where(r => r.Type == RecordType.Stdin).ToList();
            Assert.Equal(body, RecordCollector.StreamContent(records, RecordType.Stdin, 1));
            Assert.All(stdinRecords, r => Assert.InRange(r.Content.Length, 0, FcgiConstants.MaxAlignedContentLength));
            Assert.Single(stdinRecords, r => r.Content.Length == 0);
            Assert.Empty(stdinRecords[^1].Content);
            await script.SendAsync(ScriptedBackend.Answer(1, "ok"));
            Assert.Equal(0, await exit.WaitAsync(Wait));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task BackendThatNeverReadsStdin_AndWritesMore_ThanTheSocketBuffers_DoesNotDeadlock()
    {
        await using var backend = new LoopbackBackend();
        var body = new byte[16 << 20];
        var output = new MemoryStream();
        var exit = Start(backend, new MemoryStream(body), output, new MemoryStream(), ("CONTENT_LENGTH", body.Length.ToString()));
        var script = await backend.AcceptAsync();
        await script.ReadUntilAsync(r => r.Type == RecordType.Params && r.Content.Length == 0);

        // Never reads the 16 MiB of STDIN: the bridge's stdin thread blocks, its receiving thread must not.
        var response = new byte[8 << 20];
        Random.Shared.NextBytes(response);
        await script.SendAsync(Records.Stream(RecordType.Stdout, 1, response), Records.EndRequest(1, 7));

        Assert.Equal(7, await exit.WaitAsync(Wait));
        Assert.Equal(response, output.ToArray());
    }

    [Fact]
    public async Task StdoutAndStderr_Interleaved_KeepTheirOrder_AndRecordsForOtherIds_AreDropped()
    {
        await using var backend = new LoopbackBackend();
        var output = new MemoryStream();
        var errors = new MemoryStream();
        var exit = Start(backend, Stream.Null, output, errors);
        var script = await backend.AcceptAsync();
        await script.ReadRequestAsync(1);

        await script.SendAsync(
            Records.MakeRecord(RecordType.Stdout, 1, "a"u8, padding: 7),
            Records.MakeRecord(RecordType.Stdout, 1, "b"u8),
            Records.MakeRecord(RecordType.Stdout, 2, "not ours"u8),
            Records.MakeRecord(RecordType.Stderr, 1, "x"u8),
            Records.MakeRecord(RecordType.Stdout, 1, "c"u8, padding: 3),
            Records.MakeRecord(RecordType.Stdout, 1, []),
            Records.MakeRecord(RecordType.Stdout, 1, "after the end"u8),
            Records.EndRequest(2, 9),
            Records.EndRequest(1, 0));

        Assert.Equal(0, await exit.WaitAsync(Wait));
        Assert.Equal("abc", Encoding.ASCII.GetString(output.ToArray()));
        Assert.Equal("x", Encoding.ASCII.GetString(errors.ToArray()));
    }

    [Fact]
    public async Task ApplicationRecordTypeOnOurRequest_ExitsWithProtocolError()
    {
        await using var backend = new LoopbackBackend();
        var errors = new MemoryStream();
        var exit = Start(backend, Stream.Null, new MemoryStream(), errors);
        var script = await backend.AcceptAsync();
        await script.ReadRequestAsync(1);

        await script.SendAsync(Records.MakeRecord(RecordType.Stdin, 1, "x"u8));

        Assert.Equal(BridgeExitCodes.ProtocolError, await exit.WaitAsync(Wait));
        Assert.Contains("STDIN", Encoding.UTF8.GetString(errors.ToArray()), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task BrokenStdout_AndNoEndRequest_ExitsWithBrokenPipe_AfterAbortWait()
    {
        await using var backend = new LoopbackBackend();
        var errors = new MemoryStream();
        var settings = BridgeSettings.Default with { AbortWait = TimeSpan.FromMilliseconds(200) };
        var exit = Task.Run(() => new BridgeRunner(settings).Run(["-bind", "-connect", backend.Address.ToString()], BridgeEnvironment.Of(),
            Stream.Null, new BrokenStream(), errors));
        var script = await backend.AcceptAsync();
        await script.ReadRequestAsync(1);

        await script.SendAsync(Records.MakeRecord(RecordType.Stdout, 1, "nobody reads this"u8));
        Assert.Equal(RecordType.AbortRequest, (await script.ReadAsync()).Type);

        Assert.Equal(BridgeExitCodes.BrokenPipe, await exit.WaitAsync(Wait));
        Assert.Equal("fcgi bridge: stdout closed (broken pipe); request aborted\n", Encoding.UTF8.GetString(errors.ToArray()));
    }

    /// <summary>A stdout whose reader has gone: every write fails as EPIPE does.</summary>
    private sealed class BrokenStream : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("Broken pipe");

        public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException("Broken pipe");
    }
}
