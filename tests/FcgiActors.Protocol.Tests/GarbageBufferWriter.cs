using System.Buffers;

namespace FcgiActors.Protocol.Tests;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> that hands out small spans full of garbage, the way a
/// pooled pipe may: a writer that forgets to zero padding or assumes large spans is caught.
/// </summary>
internal sealed class GarbageBufferWriter(int maxSpan = 5) : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[256];
    private int _written;
    private int _offered;

    public byte[] WrittenBytes => _buffer.AsSpan(0, _written).ToArray();

    public void Advance(int count)
    {
        if (count < 0 || count > _offered)
        {
            throw new InvalidOperationException($"Advance({count}) after a span of {_offered}.");
        }

        _written += count;
        _offered = 0;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        var size = Math.Max(sizeHint, maxSpan);
        if (_buffer.Length < _written + size)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _written + size));
        }

        var memory = _buffer.AsMemory(_written, size);
        memory.Span.Fill(0xCC);
        _offered = size;
        return memory;
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
}
