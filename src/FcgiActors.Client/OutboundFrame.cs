using System.Buffers;

namespace FcgiActors.Client;

/// <summary>
/// Whole records queued for a connection's single writer. The buffer is rented or owned;
/// <see cref="Written"/>, when present, completes once the bytes reached the transport, which
/// is how a body pump waits (backpressure) before reading more. A frame that carries a
/// request's BEGIN_REQUEST names that request in <see cref="HeadOf"/>: the writer claims it
/// before writing, so a request whose head was never claimed provably sent nothing.
/// </summary>
internal sealed class OutboundFrame
{
    private byte[]? _buffer;
    private readonly bool _pooled;

    public OutboundFrame(byte[] buffer, int length, bool pooled, bool trackWritten, ClientRequest? headOf = null)
    {
        _buffer = buffer;
        Length = length;
        _pooled = pooled;
        HeadOf = headOf;
        Written = trackWritten ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
    }

    public int Length { get; }

    public TaskCompletionSource? Written { get; }

    public ClientRequest? HeadOf { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>Gives a rented buffer back once its bytes were copied out.</summary>
    public void Release()
    {
        var buffer = _buffer;
        _buffer = null;
        if (_pooled && buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override string ToString() => $"Frame({Length} bytes)";
}
