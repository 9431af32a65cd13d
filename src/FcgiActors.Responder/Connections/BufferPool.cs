using System.Buffers;
using System.Diagnostics;
using System.Numerics;

namespace FcgiActors.Responder.Connections;

/// <summary>
/// The byte blocks of one server — receive buffers, write batches, request pipe segments — in
/// power-of-two sizes from 4 KiB to 1 MiB, kept for reuse while they are being used.
/// </summary>
/// <remarks>
/// Why not <see cref="ArrayPool{T}.Shared"/>: it keeps 32 arrays per size and core (64 on a
/// 2-core box) plus one per thread. With 256 busy connections, each holding a receive buffer,
/// a write batch and a pipe segment at once, most rents missed and became fresh 16–128 KiB
/// arrays (the 128 KiB ones on the large-object heap), dropped again on return: the CPU per
/// request grew with the concurrency although the work did not. Here each size keeps up to
/// <see cref="RetainedBytesPerSize"/> of blocks, and <see cref="Trim"/> lets go of the blocks
/// that stayed unused for a whole trim interval, so a server that was busy once does not
/// hold its peak forever. Blocks carry their owner object, so a rent allocates nothing.
/// </remarks>
internal sealed class BufferPool : MemoryPool<byte>
{
    /// <summary>The smallest block: requests for less get this much.</summary>
    public const int MinimumBlockSize = 4 * 1024;

    /// <summary>
    /// The largest pooled block; larger requests get an unpooled block of the exact size. A write
    /// batch passes the default 256 KiB <c>write-batch-size</c> by up to one 64 KiB turn, so it
    /// needs a 512 KiB block; 1 MiB leaves room for a doubled batch size.
    /// </summary>
    public const int MaximumBlockSize = 1024 * 1024;

    /// <summary>Bytes of free blocks kept per size at most (32 MiB: 8,192 × 4 KiB … 32 × 1 MiB).</summary>
    public const int RetainedBytesPerSize = 32 * 1024 * 1024;

    private static readonly int s_minimumShift = BitOperations.Log2(MinimumBlockSize);

    private readonly SizeClass[] _classes;

    public BufferPool()
    {
        _classes = new SizeClass[BitOperations.Log2(MaximumBlockSize) - s_minimumShift + 1];
        for (var i = 0; i < _classes.Length; i++)
        {
            var size = MinimumBlockSize << i;
            _classes[i] = new SizeClass(size, RetainedBytesPerSize / size);
        }
    }

    /// <summary>Pipes ask the shared array pool for more than this (they never do with our segment sizes).</summary>
    public override int MaxBufferSize => MaximumBlockSize;

    /// <summary>Free blocks held now, all sizes (for tests and diagnostics).</summary>
    public int FreeBlocks => _classes.Sum(c => c.Count);

    /// <summary>A block of at least <paramref name="minBufferSize"/> bytes; dispose it to give it back.</summary>
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1) => RentBlock(minBufferSize);

    /// <summary>As <see cref="Rent"/>, typed: the array is <see cref="Block.Array"/>.</summary>
    public Block RentBlock(int minimumLength)
    {
        var size = Math.Max(minimumLength, MinimumBlockSize);
        if (size > MaximumBlockSize)
        {
            return new Block(null, GC.AllocateUninitializedArray<byte>(size));
        }

        var index = BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)size)) - s_minimumShift;
        return _classes[index].Rent();
    }

    /// <summary>
    /// Called periodically (the server heartbeat): blocks that were free during the whole
    /// interval since the last call were not needed, and go to the garbage collector.
    /// </summary>
    public void Trim()
    {
        foreach (var sizeClass in _classes)
        {
            sizeClass.Trim();
        }
    }

    protected override void Dispose(bool disposing)
    {
    }

    /// <summary>One pooled array and its owner object (what pipes dispose to give a segment back).</summary>
    public sealed class Block : IMemoryOwner<byte>
    {
        private readonly SizeClass? _home;
        private int _rented;

        internal Block(SizeClass? home, byte[] array)
        {
            _home = home;
            Array = array;
        }

        public byte[] Array { get; }

        public Memory<byte> Memory => Array;

        /// <summary>Gives the block back; a second dispose of the same rent is ignored.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _rented, 0) == 1)
            {
                _home?.Return(this);
            }
        }

        internal void MarkRented()
        {
            var was = Interlocked.Exchange(ref _rented, 1);
            Debug.Assert(was == 0, "A free block was handed out twice.");
        }
    }

    internal sealed class SizeClass(int size, int capacity)
    {
        private readonly Lock _sync = new();
        private readonly Block?[] _free = new Block?[capacity];
        private int _count;
        private int _lowWater; // fewest free blocks since the last trim

        public int Count => Volatile.Read(ref _count);

        public Block Rent()
        {
            Block? block = null;
            lock (_sync)
            {
                if (_count > 0)
                {
                    block = _free[--_count];
                    _free[_count] = null;
                    if (_count < _lowWater)
                    {
                        _lowWater = _count;
                    }
                }
            }

            block ??= new Block(this, GC.AllocateUninitializedArray<byte>(size));
            block.MarkRented();
            return block;
        }

        public void Return(Block block)
        {
            lock (_sync)
            {
                if (_count < _free.Length)
                {
                    _free[_count++] = block;
                }
            }
        }

        public void Trim()
        {
            lock (_sync)
            {
                // The oldest free blocks sit at the bottom of the stack: drop those.
                var drop = _lowWater;
                if (drop > 0)
                {
                    System.Array.Copy(_free, drop, _free, 0, _count - drop);
                    System.Array.Clear(_free, _count - drop, drop);
                    _count -= drop;
                }

                _lowWater = _count;
            }
        }

        public override string ToString() => $"{size / 1024} KiB × {Count} free";
    }
}
