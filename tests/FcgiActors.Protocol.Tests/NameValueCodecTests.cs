using FcgiActors.Protocol;
using FcgiActors.Testing;

namespace FcgiActors.Protocol.Tests;

public sealed class NameValueCodecTests
{
    public static TheoryData<int, byte[]> Lengths => new()
    {
        { 0, [0x00] },                          // 1-byte form
        { 1, [0x01] },
        { 127, [0x7F] },                        // largest 1-byte length
        { 128, [0x80, 0x00, 0x00, 0x80] },      // smallest 4-byte length: top bit set
        { 300, [0x80, 0x00, 0x01, 0x2C] },
        { 65535, [0x80, 0x00, 0xFF, 0xFF] },
        { 0x7FFFFFFF, [0xFF, 0xFF, 0xFF, 0xFF] }, // largest 31-bit length
    };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void WriteLength_UsesOneByteBelow128ElseFourWithTopBit(int length, byte[] expected)
    {
        Span<byte> destination = stackalloc byte[4];

        var written = NameValueCodec.WriteLength(destination, length);

        Assert.Equal(expected, destination[..written].ToArray());
        Assert.Equal(expected.Length, NameValueCodec.GetLengthSize(length));
        Assert.Equal(expected, Records.Length(length));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void TryReadLength_ReadsEveryForm(int length, byte[] encoded)
    {
        Assert.True(NameValueCodec.TryReadLength(encoded, out var read, out var consumed));
        Assert.Equal(length, read);
        Assert.Equal(encoded.Length, consumed);

        for (var prefix = 0; prefix < encoded.Length; prefix++)
        {
            Assert.False(NameValueCodec.TryReadLength(encoded.AsSpan(0, prefix), out _, out _));
        }
    }

    [Fact]
    public void WriteLength_Negative_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NameValueCodec.WriteLength(new byte[4], -1));
    }

    [Fact]
    public void GetEncodedLength_LargestLengths_DoesNotOverflow()
    {
        // CVE-2025-23016: nameLen + valueLen overflowed 32 bits in libfcgi.
        Assert.Equal(8 + 2L * int.MaxValue, NameValueCodec.GetEncodedLength(int.MaxValue, int.MaxValue));
        Assert.Equal(2, NameValueCodec.GetEncodedLength(0, 0));
        Assert.Equal(1 + 4 + 127 + 128, NameValueCodec.GetEncodedLength(127, 128));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(127, 127)]
    [InlineData(128, 0)]
    [InlineData(0, 128)]
    [InlineData(128, 70_000)]
    public void WriteThenTryRead_RoundTripsAndMatchesTheBuilder(int nameLength, int valueLength)
    {
        var name = RecordWriterTests.RandomBytes(nameLength, 1);
        var value = RecordWriterTests.RandomBytes(valueLength, 2);
        var encoded = new byte[NameValueCodec.GetEncodedLength(nameLength, valueLength) + 3];

        var written = NameValueCodec.Write(encoded, name, value);

        Assert.Equal(NameValueCodec.GetEncodedLength(nameLength, valueLength), written);
        Assert.Equal(Records.NameValuePair(name, value), encoded[..written]);
        ReadOnlySpan<byte> source = encoded;
        Assert.True(NameValueCodec.TryRead(ref source, out var readName, out var readValue));
        Assert.Equal(name, readName.ToArray());
        Assert.Equal(value, readValue.ToArray());
        Assert.Equal(3, source.Length);
    }

    [Fact]
    public void TryRead_IncompletePair_ReturnsFalseAndConsumesNothing()
    {
        var pair = Records.NameValuePair("REQUEST_METHOD", new string('x', 200));
        for (var prefix = 0; prefix < pair.Length; prefix++)
        {
            ReadOnlySpan<byte> source = pair.AsSpan(0, prefix);
            Assert.False(NameValueCodec.TryRead(ref source, out _, out _));
            Assert.Equal(prefix, source.Length);
        }
    }

    [Fact]
    public void TryRead_DeclaredLengthsNearInt32Max_ReturnsFalseWithoutOverflow()
    {
        // Both lengths 0x7FFFFFFF: their sum overflows 32 bits; only 64-bit checks see it is incomplete.
        ReadOnlySpan<byte> source = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, (byte)'a', (byte)'b'];

        Assert.False(NameValueCodec.TryRead(ref source, out _, out _));
        Assert.Equal(10, source.Length);
    }
}
