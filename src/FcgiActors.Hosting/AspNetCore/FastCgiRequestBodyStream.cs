using System.Buffers;
using System.IO.Pipelines;

namespace FcgiActors.Hosting.AspNetCore;

/// <summary>
/// <c>HttpRequest.Body</c>: STDIN as a read-only stream. Synchronous reads are refused, as Kestrel
/// does by default: a blocked thread per request reading a slow upload starves the thread pool.
/// </summary>
internal sealed class FastCgiRequestBodyStream : Stream
{
    private readonly PipeReader _reader;

    public FastCgiRequestBodyStream(PipeReader reader) => _reader = reader;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) =>
        throw new InvalidOperationException("Synchronous operations are disallowed on a FastCGI request body. Call ReadAsync instead.");

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken);
            var sequence = result.Buffer;
            if (!sequence.IsEmpty)
            {
                var count = (int)Math.Min(buffer.Length, sequence.Length);
                var slice = sequence.Slice(0, count);
                slice.CopyTo(buffer.Span);
                _reader.AdvanceTo(slice.End);
                return count;
            }

            _reader.AdvanceTo(sequence.End);
            if (result.IsCompleted || buffer.Length == 0)
            {
                return 0;
            }

            if (result.IsCanceled)
            {
                throw new OperationCanceledException("The request body read was cancelled.");
            }
        }
    }

    public override Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken) =>
        _reader.CopyToAsync(destination, cancellationToken);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
