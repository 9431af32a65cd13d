using System.Buffers.Binary;
using System.Diagnostics;

namespace FcgiActors.Protocol;

/// <summary>
/// FCGI_Header (§3.3): version, type, requestId (big-endian u16), contentLength (big-endian
/// u16), paddingLength, reserved.
/// </summary>
public readonly record struct RecordHeader(
    byte Version, RecordType Type, ushort RequestId, ushort ContentLength, byte PaddingLength)
{
    /// <summary>A version-1 header.</summary>
    public RecordHeader(RecordType type, ushort requestId, ushort contentLength, byte paddingLength = 0)
        : this(FcgiConstants.Version1, type, requestId, contentLength, paddingLength) { }

    /// <summary>Content plus padding: the bytes that follow the header.</summary>
    public int BodyLength => ContentLength + PaddingLength;

    /// <summary>Header, content and padding.</summary>
    public int TotalLength => FcgiConstants.HeaderLength + BodyLength;

    /// <summary>Decodes the 8 header bytes. Does not validate: see <see cref="RecordReader"/>.</summary>
    public static RecordHeader Parse(ReadOnlySpan<byte> bytes)
    {
        Debug.Assert(bytes.Length >= FcgiConstants.HeaderLength);
        return new RecordHeader(
            bytes[0],
            (RecordType)bytes[1],
            BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]),
            BinaryPrimitives.ReadUInt16BigEndian(bytes[4..]),
            bytes[6]);
        // bytes[7] is reserved: "receivers ignore" it.
    }

    /// <summary>Encodes the header into 8 bytes with the reserved byte zeroed.</summary>
    public void WriteTo(Span<byte> destination)
    {
        destination[0] = Version;
        destination[1] = (byte)Type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], RequestId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], ContentLength);
        destination[6] = PaddingLength;
        destination[7] = 0;
    }

    /// <summary>Short and payload-free, for logs.</summary>
    public override string ToString() =>
        $"{Type}(id={RequestId}, content={ContentLength}, padding={PaddingLength})";

    /// <summary>The padding that brings <paramref name="contentLength"/> to a multiple of 8, or 0 where that would exceed 65535.</summary>
    public static byte PaddingFor(int contentLength)
    {
        Debug.Assert(contentLength is >= 0 and <= FcgiConstants.MaxContentLength);
        var padding = (8 - (contentLength & 7)) & 7;
        // "content+padding ≤ 65535": PHP-FPM rejects more, so an unaligned 65529..65535 goes unpadded.
        return contentLength + padding > FcgiConstants.MaxContentLength ? (byte)0 : (byte)padding;
    }
}
