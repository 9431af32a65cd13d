using System.Threading.Channels;

namespace FcgiActors.Actors.Tests;

/// <summary>The kernel's two per-actor queues on their own: order, growth, completion, concurrent producers.</summary>
public sealed class QueueSpecs
{
    private static Envelope Message(int n) => new(n, null);

    [Fact]
    public void UnboundedMailbox_WrapsAndGrows_KeepsArrivalOrder()
    {
        var mailbox = new UnboundedMailbox();
        var next = 0;
        var expected = 0;

        // Interleave writes and reads so the ring wraps before it has to grow, then grows while wrapped.
        for (var round = 0; round < 50; round++)
        {
            for (var i = 0; i < 3 + round; i++)
            {
                Assert.True(mailbox.TryWrite(Message(next++)));
            }

            for (var i = 0; i < 2 + round; i++)
            {
                Assert.True(mailbox.TryRead(out var envelope));
                Assert.Equal(expected++, envelope.Message);
            }
        }

        while (mailbox.TryRead(out var rest))
        {
            Assert.Equal(expected++, rest.Message);
        }

        Assert.Equal(next, expected);
        Assert.False(mailbox.HasMessages);
    }

    [Fact]
    public async Task UnboundedMailbox_Completed_RefusesWritesAndKeepsQueued()
    {
        var mailbox = new UnboundedMailbox();
        Assert.True(mailbox.TryWrite(Message(1)));
        mailbox.TryComplete();

        Assert.False(mailbox.TryWrite(Message(2)));
        await Assert.ThrowsAsync<ChannelClosedException>(() => mailbox.WriteAsync(Message(3), CancellationToken.None).AsTask());
        Assert.True(mailbox.HasMessages);
        Assert.True(mailbox.TryRead(out var queued));
        Assert.Equal(1, queued.Message);
        Assert.False(mailbox.TryRead(out _));
    }

    [Fact]
    public async Task UnboundedMailbox_WriteAsyncCancelled_DoesNotQueue()
    {
        var mailbox = new UnboundedMailbox();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => mailbox.WriteAsync(Message(1), new CancellationToken(true)).AsTask());
        Assert.False(mailbox.HasMessages);
    }

    [Fact]
    public async Task UnboundedMailbox_ConcurrentProducers_KeepOrderPerProducer()
    {
        var mailbox = new UnboundedMailbox();
        await AssertOrderPerProducer(
            (producer, n) => Assert.True(mailbox.TryWrite(new Envelope((producer, n), null))),
            () => mailbox.TryRead(out var e) ? ((int, int))e.Message : null);
    }

    [Fact]
    public void SystemMailbox_InterleavedEnqueueAndDequeue_IsFifo()
    {
        var mailbox = new SystemMailbox();
        Assert.True(mailbox.IsEmpty);
        mailbox.Enqueue(new SystemMessage(SystemMessageKind.Create));
        mailbox.Enqueue(new SystemMessage(SystemMessageKind.Resume));
        Assert.True(mailbox.TryDequeue(out var first));
        mailbox.Enqueue(new SystemMessage(SystemMessageKind.Terminate));
        Assert.True(mailbox.TryDequeue(out var second));
        Assert.False(mailbox.IsEmpty);
        Assert.True(mailbox.TryDequeue(out var third));

        Assert.Equal(
            [SystemMessageKind.Create, SystemMessageKind.Resume, SystemMessageKind.Terminate],
            [first.Kind, second.Kind, third.Kind]);
        Assert.False(mailbox.TryDequeue(out _));
        Assert.True(mailbox.IsEmpty);
    }

    [Fact]
    public async Task SystemMailbox_ConcurrentProducers_KeepOrderPerProducer()
    {
        var mailbox = new SystemMailbox();
        await AssertOrderPerProducer(
            (producer, n) => mailbox.Enqueue(new SystemMessage(SystemMessageKind.ChildTerminated, (producer, n))),
            () => mailbox.TryDequeue(out var m) ? ((int, int))m.Target! : null);
    }

    /// <summary>Four producers write 0..N-1 each while one consumer reads: every item once, each producer's in order.</summary>
    private static async Task AssertOrderPerProducer(Action<int, int> write, Func<(int Producer, int N)?> read)
    {
        const int Producers = 4, PerProducer = 20_000;
        var producers = Enumerable.Range(0, Producers)
            .Select(p => Task.Run(() =>
            {
                for (var n = 0; n < PerProducer; n++)
                {
                    write(p, n);
                }
            }))
            .ToArray();

        var nextExpected = new int[Producers];
        var received = 0;
        while (received < Producers * PerProducer)
        {
            var item = read();
            if (item is null && producers.All(t => t.IsCompleted))
            {
                item = read();
                Assert.True(item is not null, "everything written must be readable once the producers are done");
            }

            if (item is { } taken)
            {
                Assert.Equal(nextExpected[taken.Producer]++, taken.N);
                received++;
            }
            else
            {
                Thread.Yield();
            }
        }

        await Task.WhenAll(producers);
        Assert.Null(read());
    }
}
