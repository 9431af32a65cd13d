using System.Buffers;

namespace FcgiActors.Responder.Connections;

/// <summary>
/// The writer's batch: records gathered into one pooled array and sent with one socket write.
/// The array goes back to the pool while the connection is idle, so idle connections hold none.
/// </summary>
internal sealed class BatchBuffer(BufferPool pool) : IBufferWriter<byte>
{
    private const int InitialSize = 16 * 1024;
    private BufferPool.Block? _block;
    private byte[]? _buffer;
    private int _length;

    // The size the last batch needed: the next one starts there instead of growing from 16 KiB
    // again with a copy per doubling (a 64 KiB response paid three copies before this).
    private int _preferredSize = InitialSize;

    public int Length => _length;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer is null ? default : _buffer.AsMemory(0, _length);

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    public void Reset() => _length = 0;

    /// <summary>Returns the array to the pool when nothing is pending.</summary>
    public void Release()
    {
        if (_buffer is not null && _length == 0)
        {
            _preferredSize = _buffer.Length;
            _block!.Dispose();
            _block = null;
            _buffer = null;
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = _length + Math.Max(sizeHint, 1);
        if (_buffer is null)
        {
            _block = pool.RentBlock(Math.Max(needed, _preferredSize));
            _buffer = _block.Array;
        }
        else if (needed > _buffer.Length)
        {
            var grown = pool.RentBlock(Math.Max(needed, _buffer.Length * 2));
            _buffer.AsSpan(0, _length).CopyTo(grown.Array);
            _block!.Dispose();
            _block = grown;
            _buffer = grown.Array;
        }
    }
}
