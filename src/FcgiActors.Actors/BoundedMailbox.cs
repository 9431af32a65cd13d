using System.Threading.Channels;

namespace FcgiActors.Actors;

/// <summary>A mailbox with a capacity: a writer waits (<see cref="Mailbox.WriteAsync"/>) for room.</summary>
internal sealed class BoundedMailbox(int capacity) : Mailbox
{
    private readonly Channel<Envelope> _channel = Channel.CreateBounded<Envelope>(
        new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public override bool HasMessages => _channel.Reader.TryPeek(out _);

    public override bool TryWrite(Envelope envelope) => _channel.Writer.TryWrite(envelope);

    public override ValueTask WriteAsync(Envelope envelope, CancellationToken ct) => _channel.Writer.WriteAsync(envelope, ct);

    public override void TryComplete() => _channel.Writer.TryComplete();

    public override bool TryRead(out Envelope envelope) => _channel.Reader.TryRead(out envelope);
}
