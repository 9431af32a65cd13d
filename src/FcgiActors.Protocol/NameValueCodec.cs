using System.Buffers.Binary;

namespace FcgiActors.Protocol;

/// <summary>
/// Name-value pair encoding (§3.4): each length is one byte when below 128, else four bytes,
/// big-endian, with the top bit set (31-bit lengths). No terminator; values are bytes.
/// </summary>
public static class NameValueCodec
{
    /// <summary>The largest length the 4-byte form can carry.</summary>
    public const int MaxLength = int.MaxValue;

    /// <summary>1 for lengths below 128, else 4.</summary>
    public static int GetLengthSize(int length) => length < 0x80 ? 1 : 4;

    /// <summary>The encoded size of a pair, in 64-bit arithmetic so 31-bit lengths cannot overflow.</summary>
    public static long GetEncodedLength(int nameLength, int valueLength) =>
        GetLengthSize(nameLength) + GetLengthSize(valueLength) + (long)nameLength + valueLength;

    /// <summary>Writes one length; returns the bytes written (1 or 4).</summary>
    public static int WriteLength(Span<byte> destination, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length < 0x80)
        {
            destination[0] = (byte)length;
            return 1;
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)length | 0x8000_0000u);
        return 4;
    }

    /// <summary>Writes one pair; the destination must hold <see cref="GetEncodedLength"/> bytes.</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        var n = WriteLength(destination, name.Length);
        n += WriteLength(destination[n..], value.Length);
        name.CopyTo(destination[n..]);
        n += name.Length;
        value.CopyTo(destination[n..]);
        return n + value.Length;
    }

    /// <summary>
    /// Reads one length. Returns false when <paramref name="source"/> ends inside it.
    /// </summary>
    public static bool TryReadLength(ReadOnlySpan<byte> source, out int length, out int consumed)
    {
        if (source.IsEmpty)
        {
            length = consumed = 0;
            return false;
        }

        if (source[0] < 0x80)
        {
            length = source[0];
            consumed = 1;
            return true;
        }

        if (source.Length < 4)
        {
            length = consumed = 0;
            return false;
        }

        // "The high-order bit ... indicates the length encoding": the other 31 bits are the length.
        length = (int)(BinaryPrimitives.ReadUInt32BigEndian(source) & 0x7FFF_FFFFu);
        consumed = 4;
        return true;
    }

    /// <summary>
    /// Reads one whole pair from the front of <paramref name="source"/> and slices it off.
    /// Returns false, consuming nothing, when the pair is incomplete. Lengths are checked
    /// against what remains before any slicing, in 64-bit arithmetic.
    /// </summary>
    public static bool TryRead(ref ReadOnlySpan<byte> source, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        name = value = default;
        if (!TryReadLength(source, out var nameLength, out var n1)
            || !TryReadLength(source[n1..], out var valueLength, out var n2))
        {
            return false;
        }

        var headerSize = n1 + n2;
        if ((long)source.Length - headerSize < (long)nameLength + valueLength)
        {
            return false;
        }

        name = source.Slice(headerSize, nameLength);
        value = source.Slice(headerSize + nameLength, valueLength);
        source = source[(headerSize + nameLength + valueLength)..];
        return true;
    }
}
