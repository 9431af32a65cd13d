using System.Buffers;
using FcgiActors.Protocol;
using FcgiActors.Testing;

namespace FcgiActors.Protocol.Tests;

/// <summary>Malformed headers, size checks before content, padding.</summary>
public sealed class RecordReaderTests
{
    public static TheoryData<string, byte[]> MalformedHeaders => new()
    {
        { "version 0", Records.Header(version: 0, type: 5, requestId: 1, contentLength: 0) },
        { "version 2", Records.Header(version: 2, type: 5, requestId: 1, contentLength: 0) },
        { "version 255", Records.Header(version: 255, type: 1, requestId: 1, contentLength: 8) },
        { "BEGIN_REQUEST length 0", Records.Header(1, (byte)RecordType.BeginRequest, 1, contentLength: 0) },
        { "BEGIN_REQUEST length 7", Records.Header(1, (byte)RecordType.BeginRequest, 1, contentLength: 7) },
        { "BEGIN_REQUEST length 9", Records.Header(1, (byte)RecordType.BeginRequest, 1, contentLength: 9) },
        { "BEGIN_REQUEST length 65535", Records.Header(1, (byte)RecordType.BeginRequest, 1, contentLength: 65535) },
        { "END_REQUEST length 0", Records.Header(1, (byte)RecordType.EndRequest, 1, contentLength: 0) },
        { "END_REQUEST length 16", Records.Header(1, (byte)RecordType.EndRequest, 1, contentLength: 16) },
        { "UNKNOWN_TYPE length 1", Records.Header(1, (byte)RecordType.UnknownType, 0, contentLength: 1) },
        { "UNKNOWN_TYPE length 9", Records.Header(1, (byte)RecordType.UnknownType, 0, contentLength: 9) },
        { "BEGIN_REQUEST on ID 0", Records.Header(1, (byte)RecordType.BeginRequest, 0, contentLength: 8) },
        { "ABORT_REQUEST on ID 0", Records.Header(1, (byte)RecordType.AbortRequest, 0, contentLength: 0) },
        { "END_REQUEST on ID 0", Records.Header(1, (byte)RecordType.EndRequest, 0, contentLength: 8) },
        { "PARAMS on ID 0", Records.Header(1, (byte)RecordType.Params, 0, contentLength: 0) },
        { "STDIN on ID 0", Records.Header(1, (byte)RecordType.Stdin, 0, contentLength: 100) },
        { "STDOUT on ID 0", Records.Header(1, (byte)RecordType.Stdout, 0, contentLength: 1) },
        { "STDERR on ID 0", Records.Header(1, (byte)RecordType.Stderr, 0, contentLength: 0) },
        { "DATA on ID 0", Records.Header(1, (byte)RecordType.Data, 0, contentLength: 65535) },
    };

    [Theory]
    [MemberData(nameof(MalformedHeaders))]
    public void TryRead_MalformedHeader_ThrowsConnectionErrorOnceEightBytesArrive(string why, byte[] header)
    {
        for (var length = 0; length < FcgiConstants.HeaderLength; length++)
        {
            var prefix = Sequences.ByteByByte(header[..length]);
            Assert.False(RecordReader.TryRead(ref prefix, out _, out _), $"{why}: {length} bytes");
        }

        // No content follows: the header alone must be judged, not waited on.
        foreach (var sequence in Sequences.AllSplits(header))
        {
            var buffer = sequence;
            Assert.Throws<FcgiConnectionException>(() => RecordReader.TryRead(ref buffer, out _, out _));
        }
    }

    [Theory]
    [MemberData(nameof(MalformedHeaders))]
    public void TryReadHeader_MalformedHeader_Throws(string why, byte[] header)
    {
        var exception = Assert.Throws<FcgiConnectionException>(
            () => RecordReader.TryReadHeader(new ReadOnlySequence<byte>(header), out _));
        Assert.False(string.IsNullOrEmpty(exception.Message), why);
    }

    [Fact]
    public void TryRead_BadBodyLength_MessageCarriesTheNumbers()
    {
        var buffer = new ReadOnlySequence<byte>(Records.Header(1, (byte)RecordType.BeginRequest, 3, contentLength: 9));

        var exception = Assert.Throws<FcgiConnectionException>(() => RecordReader.TryRead(ref buffer, out _, out _));

        Assert.Contains("9", exception.Message);
        Assert.Contains("3", exception.Message);
    }

    [Theory]
    [InlineData(RecordType.GetValues)]
    [InlineData(RecordType.GetValuesResult)]
    public void TryRead_ManagementRecordOnIdZero_IsAccepted(RecordType type)
    {
        var buffer = new ReadOnlySequence<byte>(Records.MakeRecord(type, 0, []));

        Assert.True(RecordReader.TryRead(ref buffer, out var header, out _));
        Assert.Equal(type, header.Type);
    }

    [Fact]
    public void TryRead_LargeRecordWithOnlyHeader_ReturnsFalseWithoutThrowing()
    {
        var prefix = Records.Concat(Records.Header(1, (byte)RecordType.Stdin, 1, contentLength: 65535, padding: 255), new byte[100]);
        var buffer = new ReadOnlySequence<byte>(prefix);

        Assert.False(RecordReader.TryRead(ref buffer, out _, out _));
        Assert.Equal(prefix.Length, buffer.Length);
    }

    [Fact]
    public void TryReadHeader_ValidHeader_ReturnsItWithoutConsuming()
    {
        var bytes = Records.MakeRecord(RecordType.Stdin, 5, new byte[10], padding: 6);
        var buffer = Sequences.ByteByByte(bytes);

        Assert.True(RecordReader.TryReadHeader(buffer, out var header));

        Assert.Equal(new RecordHeader(RecordType.Stdin, 5, 10, 6), header);
        Assert.Equal(24, header.TotalLength);
    }

    [Fact]
    public void TryRead_MaximumRecord_ReadsContentAndSkips255PaddingBytes()
    {
        var content = Enumerable.Range(0, FcgiConstants.MaxContentLength).Select(i => (byte)i).ToArray();
        var record = Records.MakeRecord(RecordType.Stdout, 1, content, padding: 255);
        record.AsSpan(8 + content.Length).Fill(0xEE); // garbage padding must not leak into content
        var buffer = Sequences.MultiSegment(Records.Concat(record, Records.AbortRequest(1)), 3, 40_000, 65_540);

        Assert.True(RecordReader.TryRead(ref buffer, out var header, out var read));
        Assert.Equal(FcgiConstants.MaxRecordLength, header.TotalLength);
        Assert.Equal(content, read.ToArray());

        Assert.True(RecordReader.TryRead(ref buffer, out var next, out _));
        Assert.Equal(RecordType.AbortRequest, next.Type);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void TryRead_PaddingNotYetArrived_ReturnsFalse()
    {
        var record = Records.MakeRecord(RecordType.Stdin, 1, "abc"u8, padding: 5);
        var buffer = new ReadOnlySequence<byte>(record[..^1]);

        Assert.False(RecordReader.TryRead(ref buffer, out _, out _));
        Assert.Equal(record.Length - 1, buffer.Length);
    }

    [Fact]
    public void TryRead_NonZeroReservedByte_IsIgnored()
    {
        var record = Records.MakeRecord(RecordType.Stdin, 1, "abc"u8, padding: 5);
        record[7] = 0xFF;
        var buffer = new ReadOnlySequence<byte>(record);

        Assert.True(RecordReader.TryRead(ref buffer, out var header, out var content));
        Assert.Equal(new RecordHeader(RecordType.Stdin, 1, 3, 5), header);
        Assert.Equal("abc"u8.ToArray(), content.ToArray());
    }

    [Fact]
    public void RecordHeader_WriteToThenParse_RoundTripsAndZeroesReserved()
    {
        var header = new RecordHeader(RecordType.Data, 0xABCD, 0x1234, 4);
        Span<byte> bytes = [9, 9, 9, 9, 9, 9, 9, 9];

        header.WriteTo(bytes);

        Assert.Equal([1, 8, 0xAB, 0xCD, 0x12, 0x34, 4, 0], bytes.ToArray());
        Assert.Equal(header, RecordHeader.Parse(bytes));
        Assert.Equal("Data(id=43981, content=4660, padding=4)", header.ToString());
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 7)]
    [InlineData(7, 1)]
    [InlineData(8, 0)]
    [InlineData(9, 7)]
    [InlineData(65527, 1)]
    [InlineData(65528, 0)]
    [InlineData(65529, 0)] // 65529 + 7 would pass 65535: left unpadded
    [InlineData(65535, 0)]
    public void PaddingFor_PadsToEightWhereContentPlusPaddingFits(int contentLength, int padding)
    {
        Assert.Equal(padding, RecordHeader.PaddingFor(contentLength));
    }
}
