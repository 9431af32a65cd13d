using System.Buffers;
using FcgiActors.Protocol;
using FcgiActors.Testing;

namespace FcgiActors.Protocol.Tests;

public sealed class RecordWriterTests
{
    /// <summary>
    /// Every record: content+padding ≤ 65535, padded to 8 where that fits, reserved and padding
    /// bytes zero (§3.3). Checked on the raw bytes, not through the reader.
    /// </summary>
    private static void AssertWellFormed(byte[] wire)
    {
        var offset = 0;
        while (offset < wire.Length)
        {
            var header = RecordHeader.Parse(wire.AsSpan(offset));
            Assert.Equal(FcgiConstants.Version1, header.Version);
            Assert.Equal(0, wire[offset + 7]);
            Assert.True(header.BodyLength <= FcgiConstants.MaxContentLength, $"{header}: content+padding > 65535");
            Assert.Equal(RecordHeader.PaddingFor(header.ContentLength), header.PaddingLength);
            var padding = wire.AsSpan(offset + 8 + header.ContentLength, header.PaddingLength);
            Assert.True(padding.IndexOfAnyExcept((byte)0) < 0, $"{header}: padding not zero");
            offset += header.TotalLength;
        }

        Assert.Equal(wire.Length, offset);
    }

    public static TheoryData<int, int[]> StreamSizes => new()
    {
        { 0, [] },
        { 1, [1] },
        { 7, [7] },
        { 8, [8] },
        { 65528, [65528] },
        { 65535, [65528, 7] },
        { 65536, [65528, 8] },
        { 99_000, [65528, 33472] },
        { 3 * 65528 + 1, [65528, 65528, 65528, 1] },
    };

    [Theory]
    [MemberData(nameof(StreamSizes))]
    public void WriteStream_Span_SplitsIntoAlignedRecordsAndRoundTrips(int size, int[] contentLengths)
    {
        var data = RandomBytes(size, seed: size);
        var output = new GarbageBufferWriter(maxSpan: 1000);

        RecordWriter.WriteStream(output, RecordType.Stdout, 3, data);
        RecordWriter.WriteEndOfStream(output, RecordType.Stdout, 3);

        var wire = output.WrittenBytes;
        AssertWellFormed(wire);
        var records = RecordCollector.ReadAll(wire);
        Assert.Equal([.. contentLengths, 0], records.Select(r => r.Content.Length));
        Assert.All(records, r => Assert.Equal(new RecordHeader(RecordType.Stdout, 3, (ushort)r.Content.Length, RecordHeader.PaddingFor(r.Content.Length)), r.Header));
        Assert.Equal(data, RecordCollector.StreamContent(records, RecordType.Stdout, 3));
    }

    [Theory]
    [MemberData(nameof(StreamSizes))]
    public void WriteStream_MultiSegmentSequence_WritesTheSameBytesAsTheSpan(int size, int[] contentLengths)
    {
        var data = RandomBytes(size, seed: size + 1);
        var random = new Random(size);
        var splits = Enumerable.Range(0, 7).Select(_ => random.Next(0, size + 1)).Order().ToArray();
        var expected = new ArrayBufferWriter<byte>();
        RecordWriter.WriteStream(expected, RecordType.Stdin, 1, data);
        var actual = new GarbageBufferWriter(maxSpan: 333);

        RecordWriter.WriteStream(actual, RecordType.Stdin, 1, Sequences.MultiSegment(data, splits));

        Assert.Equal(expected.WrittenSpan.ToArray(), actual.WrittenBytes);
        Assert.Equal(contentLengths.Length, RecordCollector.ReadAll(actual.WrittenBytes).Count);
    }

    [Fact]
    public void WriteStream_ByteByByteSequence_RoundTrips()
    {
        var data = RandomBytes(70_000, seed: 7);
        var output = new GarbageBufferWriter();

        RecordWriter.WriteStream(output, RecordType.Data, 2, Sequences.ByteByByte(data));
        RecordWriter.WriteEndOfStream(output, RecordType.Data, 2);

        AssertWellFormed(output.WrittenBytes);
        Assert.Equal(data, RecordCollector.StreamContent(RecordCollector.ReadAll(output.WrittenBytes), RecordType.Data, 2));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65527)]
    [InlineData(65528)]
    [InlineData(65529)]
    [InlineData(65534)]
    [InlineData(65535)]
    public void WriteRecord_AnyLegalLength_IsOneWellFormedRecord(int length)
    {
        var content = RandomBytes(length, seed: length);
        var output = new GarbageBufferWriter(maxSpan: 4096);

        RecordWriter.WriteRecord(output, RecordType.Stderr, 9, content);

        AssertWellFormed(output.WrittenBytes);
        var record = Assert.Single(RecordCollector.ReadAll(output.WrittenBytes));
        Assert.Equal(length, record.Header.ContentLength);
        Assert.Equal(content, record.Content);
    }

    [Fact]
    public void WriteRecord_MoreThan65535Bytes_Throws()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.Throws<ArgumentOutOfRangeException>(
            () => RecordWriter.WriteRecord(output, RecordType.Stdout, 1, new byte[65536]));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void WriteStream_EmptyData_WritesNothing()
    {
        var output = new ArrayBufferWriter<byte>();

        RecordWriter.WriteStream(output, RecordType.Stdout, 1, ReadOnlySpan<byte>.Empty);
        RecordWriter.WriteStream(output, RecordType.Stdout, 1, ReadOnlySequence<byte>.Empty);

        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void WriteEndOfStream_IsOneEmptyRecord()
    {
        var output = new GarbageBufferWriter();

        RecordWriter.WriteEndOfStream(output, RecordType.Params, 1);

        Assert.Equal(RecordFixtures.Get("PARAMS empty: end of stream").Bytes, output.WrittenBytes);
    }

    [Fact]
    public void WriteBeginRequest_MatchesFixture()
    {
        var output = new GarbageBufferWriter();

        RecordWriter.WriteBeginRequest(output, 0xBEEF, Role.Filter, BeginRequestFlags.None);

        Assert.Equal(RecordFixtures.Get("BEGIN_REQUEST filter, high request ID").Bytes, output.WrittenBytes);
    }

    [Fact]
    public void WriteAbortRequest_MatchesFixture()
    {
        var output = new GarbageBufferWriter();

        RecordWriter.WriteAbortRequest(output, 7);

        Assert.Equal(RecordFixtures.Get("ABORT_REQUEST").Bytes, output.WrittenBytes);
    }

    [Theory]
    [InlineData("END_REQUEST complete, appStatus 258", 1, 258, ProtocolStatus.RequestComplete)]
    [InlineData("END_REQUEST overloaded", 2, -1, ProtocolStatus.Overloaded)]
    public void WriteEndRequest_MatchesFixture(string fixture, ushort requestId, int appStatus, ProtocolStatus status)
    {
        var output = new GarbageBufferWriter();

        RecordWriter.WriteEndRequest(output, requestId, appStatus, status);

        Assert.Equal(RecordFixtures.Get(fixture).Bytes, output.WrittenBytes);
    }

    [Fact]
    public void WriteUnknownType_MatchesFixture()
    {
        var output = new GarbageBufferWriter();

        RecordWriter.WriteUnknownType(output, 12);

        Assert.Equal(RecordFixtures.Get("UNKNOWN_TYPE naming type 12").Bytes, output.WrittenBytes);
    }

    [Fact]
    public void WriteRecord_StdinHello_MatchesPaddedFixture()
    {
        var output = new GarbageBufferWriter();

        RecordWriter.WriteRecord(output, RecordType.Stdin, 1, "hello"u8);

        Assert.Equal(RecordFixtures.Get("STDIN hello, padded to 8").Bytes, output.WrittenBytes);
    }

    internal static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
