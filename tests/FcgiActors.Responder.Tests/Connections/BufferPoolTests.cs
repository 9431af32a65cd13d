using FcgiActors.Responder.Connections;

namespace FcgiActors.Responder.Tests.Connections;

public sealed class BufferPoolTests
{
    [Theory]
    [InlineData(0, 4096)]
    [InlineData(1, 4096)]
    [InlineData(4096, 4096)]
    [InlineData(4097, 8192)]
    [InlineData(16 * 1024, 16 * 1024)]
    [InlineData(65_543, 128 * 1024)]
    [InlineData(256 * 1024, 256 * 1024)]
    [InlineData(256 * 1024 + 65_543, 512 * 1024)] // a full write batch plus one more turn
    [InlineData(1024 * 1024, 1024 * 1024)]
    public void RentBlock_AnyLength_GivesTheNextPowerOfTwoFrom4KiB(int length, int expected)
    {
        var pool = new BufferPool();

        using var block = pool.RentBlock(length);

        Assert.Equal(expected, block.Array.Length);
        Assert.Equal(expected, block.Memory.Length);
    }

    [Fact]
    public void RentBlock_AboveTheLargestSize_GivesAnUnpooledExactArray()
    {
        var pool = new BufferPool();

        var block = pool.RentBlock(BufferPool.MaximumBlockSize + 1);
        block.Dispose();

        Assert.Equal(BufferPool.MaximumBlockSize + 1, block.Array.Length);
        Assert.Equal(0, pool.FreeBlocks);
    }

    [Fact]
    public void Rent_AfterDispose_ReusesTheSameBlock()
    {
        var pool = new BufferPool();
        var first = pool.RentBlock(16 * 1024);
        first.Dispose();

        var second = pool.RentBlock(10_000);

        Assert.Same(first, second);
        Assert.Equal(0, pool.FreeBlocks);
    }

    [Fact]
    public void Dispose_Twice_ReturnsTheBlockOnce()
    {
        var pool = new BufferPool();
        var block = pool.RentBlock(4096);

        block.Dispose();
        block.Dispose();

        Assert.Equal(1, pool.FreeBlocks);
        Assert.NotSame(pool.RentBlock(4096), pool.RentBlock(4096));
    }

    [Fact]
    public void Rent_ManyAtOnce_EachBlockIsDistinct()
    {
        var pool = new BufferPool();
        var blocks = Enumerable.Range(0, 300).Select(_ => pool.RentBlock(16 * 1024)).ToList();

        Assert.Equal(300, blocks.Select(b => b.Array).Distinct(ReferenceEqualityComparer.Instance).Count());
        blocks.ForEach(b => b.Dispose());
        Assert.Equal(300, pool.FreeBlocks);
    }

    [Fact]
    public void Return_BeyondTheRetainedBytes_DropsTheSurplus()
    {
        var pool = new BufferPool();
        var capacity = BufferPool.RetainedBytesPerSize / BufferPool.MaximumBlockSize;
        var blocks = Enumerable.Range(0, capacity + 5).Select(_ => pool.RentBlock(BufferPool.MaximumBlockSize)).ToList();

        blocks.ForEach(b => b.Dispose());

        Assert.Equal(capacity, pool.FreeBlocks);
    }

    [Fact]
    public void Trim_BlocksUnusedForAWholeInterval_AreDropped()
    {
        var pool = new BufferPool();
        var blocks = Enumerable.Range(0, 10).Select(_ => pool.RentBlock(4096)).ToList();
        blocks.ForEach(b => b.Dispose());
        pool.Trim(); // starts an interval: nothing was measured before it

        // During this interval at most 3 blocks are out at once: 7 stayed free throughout.
        var busy = Enumerable.Range(0, 3).Select(_ => pool.RentBlock(4096)).ToList();
        busy.ForEach(b => b.Dispose());
        pool.Trim();

        Assert.Equal(3, pool.FreeBlocks);
        pool.Trim(); // an interval with no rent at all: everything goes
        Assert.Equal(0, pool.FreeBlocks);
    }

    [Fact]
    public void Trim_KeepsTheBlocksInUse_AndTheirReturnStillPools()
    {
        var pool = new BufferPool();
        var held = pool.RentBlock(8192);
        pool.Trim();
        pool.Trim();

        held.Dispose();

        Assert.Equal(1, pool.FreeBlocks);
        Assert.Same(held, pool.RentBlock(8192));
    }

    [Fact]
    public async Task RentAndDispose_FromManyThreads_NeverHandsOneBlockToTwoRenters()
    {
        var pool = new BufferPool();
        var owners = new System.Collections.Concurrent.ConcurrentDictionary<byte[], int>(ReferenceEqualityComparer.Instance);
        var clashes = 0;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var block = pool.RentBlock(4096 << (i % 3));
                if (!owners.TryAdd(block.Array, t))
                {
                    Interlocked.Increment(ref clashes);
                }

                owners.TryRemove(block.Array, out _);
                block.Dispose();
            }
        })));

        Assert.Equal(0, clashes);
    }
}
