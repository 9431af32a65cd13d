using System.Buffers;
using FcgiActors.Protocol;
using FcgiActors.Testing;

namespace FcgiActors.Protocol.Tests;

/// <summary>
/// The reader and writer over a real <c>Pipe</c> (the in-memory duplex pipe of the test kit):
/// pooled, segmented memory and backpressure, as on a socket.
/// </summary>
public sealed class RecordPipeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task WholeRequest_WrittenToPipe_IsReadBackRecordByRecord()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var (client, server) = DuplexPipe.CreatePair();
        var body = RecordWriterTests.RandomBytes(99_000, 5);
        var reading = RecordCollector.ReadAllAsync(server.Input, cts.Token);

        RecordWriter.WriteBeginRequest(client.Output, 1, Role.Responder, BeginRequestFlags.KeepConn);
        using (var writer = new ParamsWriter(client.Output, 1))
        {
            writer.Add("CONTENT_LENGTH", "99000");
            writer.Complete();
        }

        RecordWriter.WriteStream(client.Output, RecordType.Stdin, 1, body);
        RecordWriter.WriteEndOfStream(client.Output, RecordType.Stdin, 1);
        await client.Output.FlushAsync(cts.Token);
        await client.Output.CompleteAsync();
        var records = await reading;

        Assert.Equal(
            [RecordType.BeginRequest, RecordType.Params, RecordType.Params, RecordType.Stdin, RecordType.Stdin, RecordType.Stdin],
            records.Select(r => r.Type));
        Assert.Equal(body, RecordCollector.StreamContent(records, RecordType.Stdin, 1));
    }

    [Fact]
    public async Task LargestRecords_ThroughDefaultPipe_FlowWithoutDeadlock()
    {
        // A pause threshold below two whole records would stall a writer whose reader waits
        // for a complete 65535+255-byte record: the test kit's default must not.
        using var cts = new CancellationTokenSource(Timeout);
        var (client, server) = DuplexPipe.CreatePair();
        var record = Records.MakeRecord(RecordType.Stdout, 1, RecordWriterTests.RandomBytes(65535, 6), padding: 255);
        var reading = RecordCollector.ReadAllAsync(client.Input, cts.Token);

        for (var i = 0; i < 20; i++)
        {
            await server.Output.WriteAsync(record, cts.Token);
        }

        await server.Output.CompleteAsync();
        var records = await reading;

        Assert.Equal(20, records.Count);
        Assert.All(records, r => Assert.Equal(65535, r.Content.Length));
    }

    [Fact]
    public async Task ReadRecordAsync_PipeEndsInsideARecord_Throws()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var (client, server) = DuplexPipe.CreatePair();
        await client.Output.WriteAsync(Records.AbortRequest(1).AsMemory(0, 5), cts.Token);
        await client.Output.CompleteAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => RecordCollector.ReadRecordAsync(server.Input, cts.Token));
    }

    [Fact]
    public void RequestBuilder_ReadsBackAsBeginParamsAndStdin()
    {
        var records = RecordCollector.ReadAll(Records.Request(3, [("A", "1")], "body"u8.ToArray(), BeginRequestFlags.KeepConn));

        Assert.Equal(new BeginRequestBody(Role.Responder, BeginRequestFlags.KeepConn), BeginRequestBody.Parse(records[0].Content));
        Assert.Equal(Records.NameValuePair("A", "1"), RecordCollector.StreamContent(records, RecordType.Params, 3));
        Assert.Equal("body"u8.ToArray(), RecordCollector.StreamContent(records, RecordType.Stdin, 3));
    }

    [Fact]
    public void Sequences_MultiSegment_KeepsBytesAndMakesOneSegmentPerCut()
    {
        byte[] data = [1, 2, 3, 4, 5];

        var sequence = Sequences.MultiSegment(data, 0, 2, 2, 5);

        Assert.Equal(data, sequence.ToArray());
        var segments = new List<int>();
        foreach (var segment in sequence)
        {
            segments.Add(segment.Length);
        }

        Assert.Equal([0, 2, 0, 3, 0], segments);
        Assert.Equal(6, Sequences.AllSplits(data).Count());
        Assert.Equal(5, Sequences.ByteByByte(data).Length);
    }
}
