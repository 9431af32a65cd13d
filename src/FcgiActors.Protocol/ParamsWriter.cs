using System.Buffers;
using System.Text;

namespace FcgiActors.Protocol;

/// <summary>
/// Encodes a name-value stream (PARAMS, or GET_VALUES / GET_VALUES_RESULT) into records,
/// packing whole pairs into records of up to 65535 bytes and never splitting a pair that
/// fits in one record: PHP-FPM, flup and tokio-fastcgi parse pairs per record. A pair larger
/// than a record cannot help being split and is written as consecutive records.
/// </summary>
public sealed class ParamsWriter : IDisposable
{
    private readonly IBufferWriter<byte> _output;
    private readonly RecordType _type;
    private readonly ushort _requestId;
    private byte[]? _record = ArrayPool<byte>.Shared.Rent(FcgiConstants.MaxContentLength);
    private int _length;

    public ParamsWriter(IBufferWriter<byte> output, ushort requestId, RecordType type = RecordType.Params)
    {
        _output = output;
        _requestId = requestId;
        _type = type;
    }

    /// <summary>Adds a pair; full records are written as they fill.</summary>
    public void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        var record = _record ?? throw new ObjectDisposedException(nameof(ParamsWriter));
        var pairLength = NameValueCodec.GetEncodedLength(name.Length, value.Length);
        if (_length + pairLength > FcgiConstants.MaxContentLength)
        {
            Flush();
        }

        if (pairLength <= FcgiConstants.MaxContentLength)
        {
            _length += NameValueCodec.Write(record.AsSpan(_length), name, value);
            return;
        }

        // Larger than any record: the only possible encoding splits it.
        Span<byte> lengths = stackalloc byte[8];
        var n = NameValueCodec.WriteLength(lengths, name.Length);
        n += NameValueCodec.WriteLength(lengths[n..], value.Length);
        WriteSplit(lengths[..n], name, value, pairLength);
    }

    /// <summary>
    /// Writes lengths, name and value as one byte run cut into records of 65528 bytes, straight
    /// from the three parts: a pair of up to 2 × 2 GiB is never copied into one buffer.
    /// </summary>
    private void WriteSplit(ReadOnlySpan<byte> lengths, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, long pairLength)
    {
        Span<byte> zeros = stackalloc byte[8];
        zeros.Clear();
        while (pairLength > 0)
        {
            var chunk = (int)Math.Min(pairLength, FcgiConstants.MaxAlignedContentLength);
            var padding = RecordHeader.PaddingFor(chunk);
            RecordWriter.WriteHeader(_output, new RecordHeader(_type, _requestId, (ushort)chunk, padding));
            pairLength -= chunk;
            chunk -= Take(ref lengths, chunk);
            chunk -= Take(ref name, chunk);
            Take(ref value, chunk);
            RecordWriter.WriteBytes(_output, zeros[..padding]);
        }
    }

    /// <summary>Writes up to <paramref name="count"/> bytes from the front of <paramref name="part"/>; returns how many.</summary>
    private int Take(ref ReadOnlySpan<byte> part, int count)
    {
        var n = Math.Min(count, part.Length);
        RecordWriter.WriteBytes(_output, part[..n]);
        part = part[n..];
        return n;
    }

    /// <summary>Adds a pair, both encoded as UTF-8.</summary>
    public void Add(string name, string value)
    {
        var nameBytes = Encoding.UTF8.GetByteCount(name);
        var valueBytes = Encoding.UTF8.GetByteCount(value);
        var rented = ArrayPool<byte>.Shared.Rent(nameBytes + valueBytes);
        try
        {
            Encoding.UTF8.GetBytes(name, rented);
            Encoding.UTF8.GetBytes(value, rented.AsSpan(nameBytes));
            Add(rented.AsSpan(0, nameBytes), rented.AsSpan(nameBytes, valueBytes));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Writes the pending record, if any, without ending the stream.</summary>
    public void Flush()
    {
        if (_length > 0 && _record is not null)
        {
            RecordWriter.WriteRecord(_output, _type, _requestId, _record.AsSpan(0, _length));
            _length = 0;
        }
    }

    /// <summary>
    /// Writes the pending record and, for a stream type, the empty record that ends it. The
    /// writer is then empty and may encode another stream of the same type and request ID to
    /// the same output (a connection writer can keep one per request ID).
    /// </summary>
    public void Complete()
    {
        Flush();
        if (RecordTypes.IsStream(_type))
        {
            RecordWriter.WriteEndOfStream(_output, _type, _requestId);
        }
    }

    public void Dispose()
    {
        if (_record is not null)
        {
            ArrayPool<byte>.Shared.Return(_record);
            _record = null;
        }
    }
}
