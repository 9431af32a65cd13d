using System.Buffers;
using System.Diagnostics;

namespace FcgiActors.Protocol;

/// <summary>
/// Writes records into an <see cref="IBufferWriter{T}"/> (a PipeWriter, an ArrayBufferWriter)
/// without allocating. Every record keeps contentLength = bytes written ≤ 65535, pads to a
/// multiple of 8 where content+padding stays ≤ 65535, and zeroes reserved and padding bytes.
/// Streams are split into records of at most <see cref="FcgiConstants.MaxAlignedContentLength"/>
/// bytes and ended with exactly one empty record by <see cref="WriteEndOfStream"/>.
/// </summary>
public static class RecordWriter
{
    /// <summary>Writes one record whose content is <paramref name="content"/> (at most 65535 bytes).</summary>
    public static void WriteRecord(IBufferWriter<byte> output, RecordType type, ushort requestId, ReadOnlySpan<byte> content)
    {
        // The HAProxy lesson: a length truncated to 16 bits lets content be read as records.
        if (content.Length > FcgiConstants.MaxContentLength)
        {
            throw new ArgumentOutOfRangeException(nameof(content), content.Length,
                $"A record holds at most {FcgiConstants.MaxContentLength} content bytes.");
        }

        var padding = RecordHeader.PaddingFor(content.Length);
        WriteHeader(output, new RecordHeader(type, requestId, (ushort)content.Length, padding));
        WriteBytes(output, content);
        WriteZeros(output, padding);
    }

    /// <summary>Writes <paramref name="data"/> as one or more non-empty records of a stream; nothing for empty data.</summary>
    public static void WriteStream(IBufferWriter<byte> output, RecordType type, ushort requestId, ReadOnlySpan<byte> data)
    {
        Debug.Assert(RecordTypes.IsStream(type), $"{type} is not a stream type");
        while (!data.IsEmpty)
        {
            var chunk = Math.Min(data.Length, FcgiConstants.MaxAlignedContentLength);
            WriteRecord(output, type, requestId, data[..chunk]);
            data = data[chunk..];
        }
    }

    /// <summary>Writes <paramref name="data"/> as one or more non-empty records of a stream; nothing for empty data.</summary>
    public static void WriteStream(IBufferWriter<byte> output, RecordType type, ushort requestId, in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
        {
            WriteStream(output, type, requestId, data.FirstSpan);
            return;
        }

        Debug.Assert(RecordTypes.IsStream(type), $"{type} is not a stream type");
        var remaining = data;
        while (!remaining.IsEmpty)
        {
            var chunk = (int)Math.Min(remaining.Length, FcgiConstants.MaxAlignedContentLength);
            var padding = RecordHeader.PaddingFor(chunk);
            WriteHeader(output, new RecordHeader(type, requestId, (ushort)chunk, padding));
            foreach (var segment in remaining.Slice(0, chunk))
            {
                WriteBytes(output, segment.Span);
            }

            WriteZeros(output, padding);
            remaining = remaining.Slice(chunk);
        }
    }

    /// <summary>The empty record that closes a stream (§3.3).</summary>
    public static void WriteEndOfStream(IBufferWriter<byte> output, RecordType type, ushort requestId)
    {
        Debug.Assert(RecordTypes.IsStream(type), $"{type} is not a stream type");
        WriteHeader(output, new RecordHeader(type, requestId, 0));
    }

    /// <summary>FCGI_BEGIN_REQUEST (§5.1).</summary>
    public static void WriteBeginRequest(IBufferWriter<byte> output, ushort requestId, Role role, BeginRequestFlags flags)
    {
        var span = output.GetSpan(FcgiConstants.HeaderLength + FcgiConstants.BodyLength);
        new RecordHeader(RecordType.BeginRequest, requestId, FcgiConstants.BodyLength).WriteTo(span);
        new BeginRequestBody(role, flags).WriteTo(span[FcgiConstants.HeaderLength..]);
        output.Advance(FcgiConstants.HeaderLength + FcgiConstants.BodyLength);
    }

    /// <summary>FCGI_ABORT_REQUEST (§5.4): no content.</summary>
    public static void WriteAbortRequest(IBufferWriter<byte> output, ushort requestId) =>
        WriteHeader(output, new RecordHeader(RecordType.AbortRequest, requestId, 0));

    /// <summary>FCGI_END_REQUEST (§5.5).</summary>
    public static void WriteEndRequest(IBufferWriter<byte> output, ushort requestId, int appStatus, ProtocolStatus status)
    {
        var span = output.GetSpan(FcgiConstants.HeaderLength + FcgiConstants.BodyLength);
        new RecordHeader(RecordType.EndRequest, requestId, FcgiConstants.BodyLength).WriteTo(span);
        new EndRequestBody(appStatus, status).WriteTo(span[FcgiConstants.HeaderLength..]);
        output.Advance(FcgiConstants.HeaderLength + FcgiConstants.BodyLength);
    }

    /// <summary>FCGI_UNKNOWN_TYPE (§4.2) for the type byte <paramref name="type"/>.</summary>
    public static void WriteUnknownType(IBufferWriter<byte> output, byte type)
    {
        var span = output.GetSpan(FcgiConstants.HeaderLength + FcgiConstants.BodyLength);
        new RecordHeader(RecordType.UnknownType, FcgiConstants.NullRequestId, FcgiConstants.BodyLength).WriteTo(span);
        new UnknownTypeBody(type).WriteTo(span[FcgiConstants.HeaderLength..]);
        output.Advance(FcgiConstants.HeaderLength + FcgiConstants.BodyLength);
    }

    /// <summary>Writes a header alone; the caller writes exactly ContentLength + PaddingLength bytes after it.</summary>
    public static void WriteHeader(IBufferWriter<byte> output, in RecordHeader header)
    {
        header.WriteTo(output.GetSpan(FcgiConstants.HeaderLength));
        output.Advance(FcgiConstants.HeaderLength);
    }

    /// <summary>
    /// Copies bytes through whatever span sizes the writer offers: a large size hint would make
    /// a pipe allocate outside its pool.
    /// </summary>
    internal static void WriteBytes(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var span = output.GetSpan();
            var n = Math.Min(span.Length, bytes.Length);
            bytes[..n].CopyTo(span);
            output.Advance(n);
            bytes = bytes[n..];
        }
    }

    private static void WriteZeros(IBufferWriter<byte> output, int count)
    {
        if (count == 0)
        {
            return;
        }

        var span = output.GetSpan(count);
        span[..count].Clear();
        output.Advance(count);
    }
}
