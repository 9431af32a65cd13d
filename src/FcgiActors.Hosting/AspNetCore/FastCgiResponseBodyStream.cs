using System.IO.Pipelines;

namespace FcgiActors.Hosting.AspNetCore;

/// <summary>
/// <c>HttpResponse.Body</c>: a write-only stream over the response body writer; each WriteAsync
/// flushes, like Kestrel's response stream. Synchronous writes are refused (see <see cref="FastCgiRequestBodyStream"/>).
/// </summary>
internal sealed class FastCgiResponseBodyStream : Stream
{
    private readonly PipeWriter _writer;

    public FastCgiResponseBodyStream(PipeWriter writer) => _writer = writer;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) =>
        throw new InvalidOperationException("Synchronous operations are disallowed on a FastCGI response body. Call WriteAsync instead.");

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        await _writer.WriteAsync(buffer, cancellationToken);

    public override void Flush()
    {
        // Nothing to do synchronously: every WriteAsync already flushed.
    }

    public override async Task FlushAsync(CancellationToken cancellationToken) => await _writer.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
