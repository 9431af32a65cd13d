using System.Buffers;
using System.Text;
using FcgiActors.Protocol;
using FcgiActors.Testing;

namespace FcgiActors.Protocol.Tests;

public sealed class ParamsWriterTests
{
    private static byte[] Write(ushort requestId, IEnumerable<(byte[] Name, byte[] Value)> pairs, RecordType type = RecordType.Params)
    {
        var output = new GarbageBufferWriter(maxSpan: 4096);
        using (var writer = new ParamsWriter(output, requestId, type))
        {
            foreach (var (name, value) in pairs)
            {
                writer.Add(name, value);
            }

            writer.Complete();
        }

        return output.WrittenBytes;
    }

    private static List<(byte[] Name, byte[] Value)> DecodeStream(List<CollectedRecord> records, NameValueLimits limits)
    {
        var sink = new PairCollector();
        using var decoder = new NameValueDecoder(limits);
        foreach (var record in records)
        {
            decoder.Decode(record.Content, sink);
        }

        decoder.Complete();
        return sink.Pairs;
    }

    /// <summary>PHP-FPM parses pairs per record: each record must hold whole pairs only.</summary>
    private static void AssertEveryRecordHoldsWholePairs(IEnumerable<CollectedRecord> records)
    {
        foreach (var record in records)
        {
            using var decoder = new NameValueDecoder(NameValueLimits.Unbounded);
            decoder.Decode(record.Content, new PairCollector());
            decoder.Complete();
        }
    }

    private static (byte[], byte[]) Pair(int nameLength, int valueLength, int seed) =>
        (RecordWriterTests.RandomBytes(nameLength, seed), RecordWriterTests.RandomBytes(valueLength, seed + 1));

    [Fact]
    public void Complete_SmallSet_IsOneRecordThenTheEmptyRecord()
    {
        var wire = Write(1, [("SCRIPT_NAME"u8.ToArray(), "/x"u8.ToArray())]);

        Assert.Equal(Records.Concat(
                RecordFixtures.Get("PARAMS one pair, padded").Bytes,
                RecordFixtures.Get("PARAMS empty: end of stream").Bytes),
            wire);
    }

    [Fact]
    public void Complete_NoPairs_WritesOnlyTheEmptyRecord()
    {
        Assert.Equal(RecordFixtures.Get("PARAMS empty: end of stream").Bytes, Write(1, []));
    }

    [Fact]
    public void Add_Strings_EncodesUtf8()
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new ParamsWriter(output, 4))
        {
            writer.Add("PATH_INFO", "/caf\u00e9/\u65e5\u672c");
            writer.Add("EMPTY", "");
            writer.Complete();
        }

        var records = RecordCollector.ReadAll(output.WrittenSpan.ToArray());
        var pairs = DecodeStream(records, NameValueLimits.Default);
        Assert.Equal("/caf\u00e9/\u65e5\u672c", Encoding.UTF8.GetString(pairs[0].Value));
        Assert.Empty(pairs[1].Value);
    }

    [Theory]
    [InlineData(65529)]
    [InlineData(65530)]
    [InlineData(65531)]
    [InlineData(65532)]
    [InlineData(65533)]
    [InlineData(65534)]
    [InlineData(65535)]
    public void Complete_TotalJustBelowTheRecordLimit_IsOneUnpaddedRecord(int total)
    {
        // A small pair, then one whose value makes the total exactly `total`.
        var first = Pair(10, 100, 1); // 1 + 1 + 10 + 100 = 112 bytes
        var second = Pair(20, total - 112 - 1 - 4 - 20, 2);
        var wire = Write(1, [first, second]);

        var records = RecordCollector.ReadAll(wire);

        Assert.Equal(2, records.Count);
        Assert.Equal(new RecordHeader(RecordType.Params, 1, (ushort)total, 0), records[0].Header);
        Assert.Empty(records[1].Content);
        Assert.Equal(PairCollector.Hex([first, second]), PairCollector.Hex(DecodeStream(records, NameValueLimits.Unbounded)));
    }

    [Theory]
    [InlineData(65536)]
    [InlineData(65540)]
    [InlineData(125_550)] // the second pair exactly 65535 bytes
    public void Complete_TotalAboveTheRecordLimit_MovesTheLastPairToTheNextRecordWhole(int total)
    {
        var first = Pair(10, 60_000, 3); // 1 + 4 + 10 + 60000 = 60015
        var second = Pair(20, total - 60_015 - 1 - 4 - 20, 4);
        var wire = Write(1, [first, second]);

        var records = RecordCollector.ReadAll(wire);

        Assert.Equal([60_015, total - 60_015, 0], records.Select(r => r.Content.Length));
        AssertEveryRecordHoldsWholePairs(records);
        Assert.Equal(PairCollector.Hex([first, second]), PairCollector.Hex(DecodeStream(records, NameValueLimits.Unbounded)));
    }

    [Fact]
    public void Add_ManyPairs_NeverSplitsAPairThatFitsInARecord()
    {
        var random = new Random(42);
        var pairs = Enumerable.Range(0, 2000)
            .Select(i => Pair(random.Next(1, 200), random.Next(0, random.Next(2) == 0 ? 100 : 2000), i))
            .ToList();

        var records = RecordCollector.ReadAll(Write(7, pairs));

        Assert.True(records.Count > 10);
        Assert.All(records, r => Assert.True(r.Header.BodyLength <= FcgiConstants.MaxContentLength));
        AssertEveryRecordHoldsWholePairs(records);
        Assert.Equal(PairCollector.Hex(pairs), PairCollector.Hex(DecodeStream(records, NameValueLimits.Unbounded)));
    }

    [Theory]
    [InlineData(65_536)]
    [InlineData(70_000)]
    [InlineData(200_000)]
    public void Add_PairLargerThanARecord_IsSplitAcrossRecordsAndDecodesBack(int valueLength)
    {
        var small = Pair(5, 5, 1);
        var big = Pair(300, valueLength, 2);
        var wire = Write(2, [small, big, small]);

        var records = RecordCollector.ReadAll(wire);

        Assert.All(records, r => Assert.True(r.Header.BodyLength <= FcgiConstants.MaxContentLength));
        // The small pairs keep records of their own: only the big pair is split.
        Assert.Equal(12, records[0].Content.Length);
        Assert.Equal(12, records[^2].Content.Length);
        Assert.Empty(records[^1].Content);
        Assert.Equal(PairCollector.Hex([small, big, small]), PairCollector.Hex(DecodeStream(records, NameValueLimits.Unbounded)));
    }

    [Fact]
    public void Add_PairLargerThanARecord_IsNotCopiedIntoATemporaryBuffer()
    {
        var value = new byte[3 * 1024 * 1024];
        using (var warmUp = new ParamsWriter(new ArrayBufferWriter<byte>(), 1))
        {
            // First calls may allocate for JIT and type loading: keep that out of the count.
            warmUp.Add("BIG"u8, new byte[70_000]);
        }

        var output = new ArrayBufferWriter<byte>(4 * 1024 * 1024);
        using var writer = new ParamsWriter(output, 1);
        var before = GC.GetAllocatedBytesForCurrentThread();

        writer.Add("BIG"u8, value);

        // A copy of the pair would be 3 MiB; allow a little for the runtime's own bookkeeping.
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024, "the pair was buffered");
        var records = RecordCollector.ReadAll(output.WrittenSpan.ToArray());
        Assert.Equal(value.Length + 3 + 1 + 4, records.Sum(r => r.Content.Length));
        Assert.All(records[..^1], r => Assert.Equal(FcgiConstants.MaxAlignedContentLength, r.Content.Length));
    }

    [Fact]
    public void Complete_GetValuesType_WritesNoEmptyRecord()
    {
        var records = RecordCollector.ReadAll(Write(0, [("FCGI_MPXS_CONNS"u8.ToArray(), [])], RecordType.GetValues));

        var record = Assert.Single(records);
        Assert.Equal(RecordFixtures.Get("GET_VALUES one name").Header, record.Header);
    }

    [Fact]
    public void Flush_WritesThePendingRecordWithoutEndingTheStream()
    {
        var output = new ArrayBufferWriter<byte>();
        using var writer = new ParamsWriter(output, 1);
        writer.Add("A"u8, "1"u8);

        writer.Flush();
        writer.Flush();

        var record = Assert.Single(RecordCollector.ReadAll(output.WrittenSpan.ToArray()));
        Assert.Equal(4, record.Content.Length);
    }

    [Fact]
    public void Complete_ThenMorePairs_WritesASecondWholeStream()
    {
        var output = new ArrayBufferWriter<byte>();
        using var writer = new ParamsWriter(output, 1);
        writer.Add("SCRIPT_NAME"u8, "/x"u8);
        writer.Complete();
        writer.Add("SCRIPT_NAME"u8, "/x"u8);
        writer.Complete();

        var stream = Records.Concat(
            RecordFixtures.Get("PARAMS one pair, padded").Bytes,
            RecordFixtures.Get("PARAMS empty: end of stream").Bytes);
        Assert.Equal(Records.Concat(stream, stream), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Add_AfterDispose_Throws()
    {
        var writer = new ParamsWriter(new ArrayBufferWriter<byte>(), 1);
        writer.Dispose();
        writer.Dispose();

        Assert.Throws<ObjectDisposedException>(() => writer.Add("A"u8, "1"u8));
    }
}
