using System.Buffers;
using FcgiActors.Protocol;
using FcgiActors.Testing;

namespace FcgiActors.Protocol.Tests;

public sealed class NameValueDecoderTests
{
    private static readonly (string Name, string Value)[] SamplePairs =
    [
        ("", ""),                                   // both lengths 0
        ("SCRIPT_FILENAME", "/var/www/index.php"),
        (new string('n', 127), new string('v', 128)), // 1-byte and 4-byte lengths side by side
        (new string('N', 128), ""),
        ("QUERY_STRING", new string('q', 300)),
        ("HTTP_ACCEPT_LANGUAGE", "fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5"),
    ];

    private static byte[] SampleBytes => Records.Concat(SamplePairs.Select(p => Records.NameValuePair(p.Name, p.Value)).ToArray());

    private static List<(string, string)> Decode(NameValueLimits limits, params byte[][] records)
    {
        var sink = new PairCollector();
        using var decoder = new NameValueDecoder(limits);
        foreach (var record in records)
        {
            decoder.Decode(record, sink);
        }

        decoder.Complete();
        return sink.Strings;
    }

    [Fact]
    public void Decode_OneRecord_EmitsEveryPairInOrder()
    {
        Assert.Equal(SamplePairs, Decode(NameValueLimits.Default, SampleBytes));
    }

    [Fact]
    public void Decode_PairsStraddlingTwoRecords_AtEveryOffset_Reassembles()
    {
        var bytes = SampleBytes;
        for (var split = 0; split <= bytes.Length; split++)
        {
            Assert.Equal(SamplePairs, Decode(NameValueLimits.Default, bytes[..split], bytes[split..]));
        }
    }

    [Fact]
    public void Decode_OneByteRecords_Reassembles()
    {
        var records = SampleBytes.Select(b => new[] { b }).ToArray();

        Assert.Equal(SamplePairs, Decode(NameValueLimits.Default, records));
    }

    [Fact]
    public void Decode_ThreeRecordsAtEveryPairOfOffsets_Reassembles()
    {
        var bytes = Records.Concat(Records.NameValuePair("A", new string('a', 130)), Records.NameValuePair(new string('b', 129), "B"));
        var expected = new List<(string, string)> { ("A", new string('a', 130)), (new string('b', 129), "B") };
        for (var first = 0; first <= bytes.Length; first += 3)
        {
            for (var second = first; second <= bytes.Length; second += 5)
            {
                Assert.Equal(expected, Decode(NameValueLimits.Default, bytes[..first], bytes[first..second], bytes[second..]));
            }
        }
    }

    [Fact]
    public void Decode_MultiSegmentSequenceAtEveryOffset_Reassembles()
    {
        var bytes = SampleBytes;
        foreach (var sequence in Sequences.AllSplits(bytes))
        {
            var sink = new PairCollector();
            using var decoder = new NameValueDecoder(NameValueLimits.Default);

            decoder.Decode(sequence, sink);
            decoder.Complete();

            Assert.Equal(SamplePairs, sink.Strings);
            Assert.Equal(bytes.Length, decoder.TotalBytes);
            Assert.Equal(SamplePairs.Length, decoder.PairCount);
        }
    }

    public static TheoryData<string, byte[]> TruncatedStreams => new()
    {
        { "inside a 4-byte name length", [0x80, 0x00] },
        { "before the value length", [0x03] },
        { "inside a 4-byte value length", [0x03, 0x80, 0x00, 0x01] },
        { "inside the name", [0x03, 0x01, (byte)'a'] },
        { "inside the value", [0x01, 0x03, (byte)'a', (byte)'b'] },
        { "after a whole pair, inside the next", [0x01, 0x01, (byte)'a', (byte)'b', 0x05] },
    };

    [Theory]
    [MemberData(nameof(TruncatedStreams))]
    public void Complete_StreamEndedInsideAPair_ThrowsTruncated(string where, byte[] bytes)
    {
        using var decoder = new NameValueDecoder(NameValueLimits.Default);
        decoder.Decode(bytes, new PairCollector());
        Assert.True(decoder.HasPartialPair, where);

        var exception = Assert.Throws<NameValueException>(decoder.Complete);

        Assert.Equal(NameValueError.Truncated, exception.Error);
        Assert.False(decoder.HasPartialPair);
    }

    [Fact]
    public void Complete_OnAPairBoundary_DoesNotThrow()
    {
        using var decoder = new NameValueDecoder(NameValueLimits.Default);
        decoder.Decode(Records.NameValuePair("a", "b"), new PairCollector());

        decoder.Complete();

        Assert.False(decoder.HasPartialPair);
        Assert.Equal(1, decoder.PairCount);
    }

    [Fact]
    public void Reset_AfterAPartialPair_DecodesAFreshStream()
    {
        using var decoder = new NameValueDecoder(NameValueLimits.Default);
        decoder.Decode([0x05, 0x05, (byte)'x'], new PairCollector());

        decoder.Reset();
        var sink = new PairCollector();
        decoder.Decode(Records.NameValuePair("a", "b"), sink);
        decoder.Complete();

        Assert.Equal([("a", "b")], sink.Strings);
        Assert.Equal(4, decoder.TotalBytes);
    }

    private static readonly NameValueLimits SmallLimits = new(MaxNameLength: 10, MaxValueLength: 20, MaxTotalBytes: 100, MaxPairs: 3);

    public static TheoryData<string, byte[], NameValueError> LimitBreaches => new()
    {
        { "name of 11 bytes, lengths only", [11, 0], NameValueError.NameTooLong },
        { "name of 0x7FFFFFFF bytes", [0xFF, 0xFF, 0xFF, 0xFF, 0x00], NameValueError.NameTooLong },
        { "value of 21 bytes, lengths only", [1, 21], NameValueError.ValueTooLong },
        { "value of 0x7FFFFFFF bytes", [0x01, 0xFF, 0xFF, 0xFF, 0xFF], NameValueError.ValueTooLong },
        { "fourth pair", [0, 0, 0, 0, 0, 0, 0, 0], NameValueError.TooManyPairs },
        { "101 bytes in all", Records.Concat(Enumerable.Repeat(Records.NameValuePair("n", new string('v', 18)), 5).Append([0]).ToArray())[..101], NameValueError.TooManyBytes },
    };

    [Theory]
    [MemberData(nameof(LimitBreaches))]
    public void Decode_LimitBreached_ThrowsTheMatchingError(string why, byte[] bytes, NameValueError error)
    {
        var limits = error == NameValueError.TooManyBytes ? SmallLimits with { MaxPairs = 100 } : SmallLimits;
        using var decoder = new NameValueDecoder(limits);

        var exception = Assert.Throws<NameValueException>(() => decoder.Decode(bytes, new PairCollector()));

        Assert.Equal(error, exception.Error);
        Assert.False(string.IsNullOrEmpty(exception.Message), why);
    }

    [Theory]
    [MemberData(nameof(LimitBreaches))]
    public void Decode_LimitBreachedOneByteAtATime_ThrowsTheMatchingError(string why, byte[] bytes, NameValueError error)
    {
        var limits = error == NameValueError.TooManyBytes ? SmallLimits with { MaxPairs = 100 } : SmallLimits;
        using var decoder = new NameValueDecoder(limits);
        var sink = new PairCollector();

        var exception = Assert.Throws<NameValueException>(() =>
        {
            foreach (var b in bytes)
            {
                decoder.Decode([b], sink);
            }
        });

        Assert.Equal(error, exception.Error);
        Assert.False(string.IsNullOrEmpty(exception.Message), why);
    }

    [Fact]
    public void Decode_LengthsAtTheLimits_AreAccepted()
    {
        var pairs = new[] { (new string('n', 10), new string('v', 20)), ("a", ""), ("", "") };

        var decoded = Decode(SmallLimits, Records.Concat(pairs.Select(p => Records.NameValuePair(p.Item1, p.Item2)).ToArray()));

        Assert.Equal(pairs, decoded);
    }

    [Fact]
    public void Decode_PairOfLargestLengths_IsRejectedBeforeAnythingIsAllocatedForIt()
    {
        // No name or value limit: only the stream's byte budget can refuse the 4 GiB pair, and
        // it must do so from the declared lengths, not after buffering.
        var limits = new NameValueLimits(int.MaxValue, int.MaxValue, MaxTotalBytes: 1 << 20, MaxPairs: 10);
        using var decoder = new NameValueDecoder(limits);
        var sink = new PairCollector();
        byte[] lengths = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, (byte)'x'];
        var before = GC.GetAllocatedBytesForCurrentThread();

        var exception = Assert.Throws<NameValueException>(() => decoder.Decode(lengths, sink));

        Assert.Equal(NameValueError.TooManyBytes, exception.Error);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024, "allocated for the declared pair");
    }

    [Fact]
    public void Decode_HugeDeclaredPairWithinLimits_BuffersOnlyWhatArrived()
    {
        // Unbounded limits: a 0x7FFFFFFF name is legal, and the decoder waits for it holding
        // only the bytes received so far.
        using var decoder = new NameValueDecoder(NameValueLimits.Unbounded);
        var before = GC.GetAllocatedBytesForCurrentThread();

        decoder.Decode(Records.Concat([0xFF, 0xFF, 0xFF, 0xFF, 0x00], new byte[100]), new PairCollector());

        Assert.True(decoder.HasPartialPair);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024, "allocated for the declared pair");
        Assert.Equal(NameValueError.Truncated, Assert.Throws<NameValueException>(decoder.Complete).Error);
    }

    [Fact]
    public void Decode_ReadOnlySequenceOfRecordsStraddlingPair_Reassembles()
    {
        var value = RecordWriterTests.RandomBytes(200_000, 3);
        var pair = Records.NameValuePair("BIG"u8.ToArray(), value);
        var sink = new PairCollector();
        using var decoder = new NameValueDecoder(NameValueLimits.Unbounded);

        for (var offset = 0; offset < pair.Length; offset += 65535)
        {
            var chunk = pair.AsSpan(offset, Math.Min(65535, pair.Length - offset)).ToArray();
            decoder.Decode(new ReadOnlySequence<byte>(chunk), sink);
        }

        decoder.Complete();

        var (name, decodedValue) = Assert.Single(sink.Pairs);
        Assert.Equal("BIG"u8.ToArray(), name);
        Assert.Equal(value, decodedValue);
    }
}
