using System.Buffers;
using System.Runtime.CompilerServices;

namespace FcgiActors.Protocol;

/// <summary>
/// Reads records from a byte sequence without allocating. The contract follows the pipe
/// idiom: on success the record is sliced off the front of the buffer; on incomplete input
/// nothing is consumed and the caller waits for more; malformed input throws
/// <see cref="FcgiConnectionException"/> as soon as the header shows it, before any content
/// is awaited.
/// </summary>
public static class RecordReader
{
    /// <summary>
    /// Reads one whole record. <paramref name="content"/> excludes padding and is a slice of
    /// <paramref name="buffer"/>: it is valid only until the caller advances its pipe.
    /// </summary>
    /// <returns>false when the buffer does not yet hold the whole record.</returns>
    /// <exception cref="FcgiConnectionException">The header is malformed.</exception>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out RecordHeader header, out ReadOnlySequence<byte> content)
    {
        if (!TryReadHeader(buffer, out header) || buffer.Length < header.TotalLength)
        {
            content = default;
            return false;
        }

        content = buffer.Slice(FcgiConstants.HeaderLength, header.ContentLength);
        // §3.3: "Receivers of the record ignore padding".
        buffer = buffer.Slice(header.TotalLength);
        return true;
    }

    /// <summary>
    /// Decodes and validates the header at the front of the buffer, without consuming it.
    /// </summary>
    /// <returns>false when fewer than 8 bytes are buffered.</returns>
    /// <exception cref="FcgiConnectionException">The header is malformed.</exception>
    public static bool TryReadHeader(in ReadOnlySequence<byte> buffer, out RecordHeader header)
    {
        if (buffer.Length < FcgiConstants.HeaderLength)
        {
            header = default;
            return false;
        }

        var first = buffer.FirstSpan;
        if (first.Length >= FcgiConstants.HeaderLength)
        {
            header = RecordHeader.Parse(first);
        }
        else
        {
            Span<byte> bytes = stackalloc byte[FcgiConstants.HeaderLength];
            buffer.Slice(0, FcgiConstants.HeaderLength).CopyTo(bytes);
            header = RecordHeader.Parse(bytes);
        }

        Validate(header);
        return true;
    }

    /// <summary>Applies the header rules of §3.3, §4 and §5 that need no connection state.</summary>
    /// <exception cref="FcgiConnectionException">The header breaks one of them.</exception>
    public static void Validate(in RecordHeader header)
    {
        if (header.Version != FcgiConstants.Version1)
        {
            ThrowBadVersion(header);
        }

        switch (header.Type)
        {
            case RecordType.BeginRequest:
            case RecordType.EndRequest:
            case RecordType.UnknownType:
                // §5.1, §5.5, §4.2: these bodies are exactly 8 bytes.
                if (header.ContentLength != FcgiConstants.BodyLength)
                {
                    ThrowBadBodyLength(header);
                }

                break;
        }

        // §3.3: "The FastCGI application ... uses a zero requestId for management records",
        // so an application record on ID 0 can belong to no request.
        if (header.RequestId == FcgiConstants.NullRequestId
            && RecordTypes.IsKnown(header.Type) && !RecordTypes.IsManagement(header.Type))
        {
            ThrowApplicationRecordOnNullId(header);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadVersion(in RecordHeader header) =>
        throw new FcgiConnectionException(
            $"Record header has version {header.Version}; only FastCGI version 1 is defined (type byte {(byte)header.Type}, request ID {header.RequestId}).");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBadBodyLength(in RecordHeader header) =>
        throw new FcgiConnectionException(
            $"{header.Type} record for request ID {header.RequestId} has contentLength {header.ContentLength}; the body is exactly {FcgiConstants.BodyLength} bytes.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowApplicationRecordOnNullId(in RecordHeader header) =>
        throw new FcgiConnectionException(
            $"{header.Type} record with request ID 0; ID 0 is reserved for management records.");
}
