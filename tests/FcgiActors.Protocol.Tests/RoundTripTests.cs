using FcgiActors.Protocol;
using FcgiActors.Testing;

namespace FcgiActors.Protocol.Tests;

/// <summary>Encode → decode is the identity over random inputs (fixed seeds, so failures replay).</summary>
public sealed class RoundTripTests
{
    public static TheoryData<int> Seeds => new(Enumerable.Range(1, 25));

    /// <summary>Wire bytes cut at a few random offsets, as a socket delivers them.</summary>
    private static List<CollectedRecord> ReadBack(byte[] wire, Random random)
    {
        var splits = Enumerable.Range(0, random.Next(0, 20)).Select(_ => random.Next(0, wire.Length + 1)).Order().ToArray();
        return RecordCollector.ReadAll(Sequences.MultiSegment(wire, splits));
    }

    private static int Length(Random random) => random.Next(10) switch
    {
        0 => 0,
        < 7 => random.Next(1, 128),
        < 9 => random.Next(128, 2000),
        _ => random.Next(2000, 80_000),
    };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void ParamsSet_WrittenThenReadAndDecoded_IsTheSameSet(int seed)
    {
        var random = new Random(seed);
        var pairs = Enumerable.Range(0, random.Next(0, 80))
            .Select(_ => (Name: RecordWriterTests.RandomBytes(Length(random), random.Next()), Value: RecordWriterTests.RandomBytes(Length(random), random.Next())))
            .ToList();
        var requestId = (ushort)random.Next(1, 65536);
        var output = new GarbageBufferWriter(maxSpan: random.Next(1, 9000));
        using (var writer = new ParamsWriter(output, requestId))
        {
            foreach (var (name, value) in pairs)
            {
                writer.Add(name, value);
            }

            writer.Complete();
        }

        var records = ReadBack(output.WrittenBytes, random);

        var sink = new PairCollector();
        using var decoder = new NameValueDecoder(NameValueLimits.Unbounded);
        Assert.All(records, r => Assert.Equal(new RecordHeader(RecordType.Params, requestId, (ushort)r.Content.Length, RecordHeader.PaddingFor(r.Content.Length)), r.Header));
        foreach (var record in records.Where(r => r.Content.Length > 0))
        {
            decoder.Decode(record.Content, sink);
        }

        decoder.Complete();
        Assert.Empty(records[^1].Content);
        Assert.Equal(pairs.Count, sink.Pairs.Count);
        Assert.Equal(PairCollector.Hex(pairs), PairCollector.Hex(sink.Pairs));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Body_WrittenAsStreamThenRead_IsTheSameBody(int seed)
    {
        var random = new Random(seed);
        var length = random.Next(3) switch
        {
            0 => random.Next(0, 100),
            1 => random.Next(65_520, 65_545),
            _ => random.Next(0, 300_000),
        };
        var body = RecordWriterTests.RandomBytes(length, seed);
        var output = new GarbageBufferWriter(maxSpan: random.Next(1, 70_000));

        // Some bodies arrive in pieces, as a handler writes them.
        var offset = 0;
        while (offset < body.Length)
        {
            var piece = Math.Min(body.Length - offset, random.Next(1, 100_000));
            RecordWriter.WriteStream(output, RecordType.Stdout, 1, body.AsSpan(offset, piece));
            offset += piece;
        }

        RecordWriter.WriteEndOfStream(output, RecordType.Stdout, 1);

        var records = ReadBack(output.WrittenBytes, random);
        Assert.All(records, r => Assert.True(r.Header.BodyLength <= FcgiConstants.MaxContentLength));
        Assert.Equal(body, RecordCollector.StreamContent(records, RecordType.Stdout, 1));
    }
}
