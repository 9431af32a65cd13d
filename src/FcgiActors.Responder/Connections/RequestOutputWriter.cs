using System.IO.Pipelines;

namespace FcgiActors.Responder.Connections;

/// <summary>
/// The handler's STDOUT or STDERR: a request pipe's writer that tells the connection writer
/// when bytes are flushed. The schedule happens before the flush is awaited, because a flush
/// past the window waits for exactly the writer it would otherwise not have woken.
/// </summary>
internal sealed class RequestOutputWriter : PipeWriter
{
    private readonly RequestState _request;
    private readonly PipeWriter _inner;
    private int _completed;

    public RequestOutputWriter(RequestState request, PipeWriter inner)
    {
        _request = request;
        _inner = inner;
    }

    /// <summary>True once the handler wrote any byte.</summary>
    public bool HasWritten { get; private set; }

    public override void Advance(int bytes)
    {
        HasWritten |= bytes > 0;
        _inner.Advance(bytes);
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => _inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => _inner.GetSpan(sizeHint);

    public override void CancelPendingFlush() => _inner.CancelPendingFlush();

    public override bool CanGetUnflushedBytes => _inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => _inner.UnflushedBytes;

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        var flush = _inner.FlushAsync(cancellationToken);
        _request.Connection.Writer.Schedule(_request);
        return flush;
    }

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        HasWritten |= !source.IsEmpty;
        var flush = _inner.WriteAsync(source, cancellationToken);
        _request.Connection.Writer.Schedule(_request);
        return flush;
    }

    /// <summary>The handler closes its stream early: the empty record goes out now.</summary>
    public override void Complete(Exception? exception = null) => CompleteInner();

    /// <summary>Completes the pipe once (handler, end gate and release may all ask).</summary>
    public void CompleteInner()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _inner.Complete();
            _request.Connection.Writer.Schedule(_request);
        }
    }
}
