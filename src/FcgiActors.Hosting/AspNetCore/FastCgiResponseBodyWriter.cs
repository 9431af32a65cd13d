using System.Buffers;
using System.IO.Pipelines;

namespace FcgiActors.Hosting.AspNetCore;

/// <summary>
/// <c>HttpResponse.BodyWriter</c>. Until the first flush the body is held here, so the head can
/// still change and, when the application returns without flushing, Content-Length is exact.
/// From the first flush on, bytes go straight to STDOUT behind the CGI head. Writes after an
/// abort, or for a body the status or method forbids (HEAD, 204, 304), are discarded.
/// </summary>
internal sealed class FastCgiResponseBodyWriter : PipeWriter
{
    private readonly FastCgiRequestFeatures _owner;
    private readonly PipeWriter _output;
    private ArrayBufferWriter<byte>? _buffered;
    private ArrayBufferWriter<byte>? _discard;
    private IBufferWriter<byte>? _pending;
    private long _bytesWritten;
    private bool _started;
    private bool _completed;

    public FastCgiResponseBodyWriter(FastCgiRequestFeatures owner, PipeWriter output)
    {
        _owner = owner;
        _output = output;
    }

    /// <summary>Body bytes the application wrote (before suppression).</summary>
    public long BytesWritten => _bytesWritten;

    public override Memory<byte> GetMemory(int sizeHint = 0) => (_pending = Target()).GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => (_pending = Target()).GetSpan(sizeHint);

    public override void Advance(int bytes)
    {
        ThrowIfCompleted();

        // Advance the writer the memory came from, even if an abort switched targets in between.
        var target = _pending ?? Target();
        _pending = null;
        target.Advance(bytes);
        if (ReferenceEquals(target, _discard))
        {
            _discard.ResetWrittenCount();
            return;
        }

        _bytesWritten += bytes;
        if (_owner.ResponseHeaders.ContentLength is { } declared && _bytesWritten > declared && !_owner.BodySuppressed)
        {
            throw new InvalidOperationException(
                $"Response Content-Length mismatch: too many bytes written ({_bytesWritten} of {declared}).");
        }
    }

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfCompleted();
        if (_owner.IsAborted)
        {
            return new FlushResult(isCanceled: false, isCompleted: true);
        }

        await StartAsync(bufferedBodyLength: null);
        try
        {
            return await _output.FlushAsync(cancellationToken);
        }
        catch (Exception) when (_owner.IsAborted)
        {
            return new FlushResult(isCanceled: false, isCompleted: true);
        }
    }

    public override void CancelPendingFlush() => _output.CancelPendingFlush();

    /// <summary>The application says it is done writing; the server still ends the response itself.</summary>
    public override void Complete(Exception? exception = null) => _completed = true;

    /// <summary>
    /// <c>HttpResponse.CompleteAsync</c>: sends the head and everything written, then refuses more
    /// writes. The FastCGI request itself ends (END_REQUEST) when the application returns.
    /// </summary>
    public override async ValueTask CompleteAsync(Exception? exception = null)
    {
        if (!_completed)
        {
            await FinishAsync();
            _completed = true;
        }
    }

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _buffered?.WrittenCount ?? 0;

    internal void DiscardBuffered()
    {
        _buffered?.ResetWrittenCount();
        _bytesWritten = 0;
    }

    internal async ValueTask FinishAsync()
    {
        if (_owner.IsAborted)
        {
            return;
        }

        await StartAsync(bufferedBodyLength: _buffered?.WrittenCount ?? 0);
        if (_owner.ResponseHeaders.ContentLength is { } declared && !_owner.BodySuppressed && _bytesWritten < declared)
        {
            throw new InvalidOperationException(
                $"Response Content-Length mismatch: too few bytes written ({_bytesWritten} of {declared}).");
        }

        try
        {
            await _output.FlushAsync();
        }
        catch (Exception) when (_owner.IsAborted)
        {
            // The client went away while the last bytes were flushed: nothing left to tell it.
        }
    }

    private async ValueTask StartAsync(long? bufferedBodyLength)
    {
        if (_started)
        {
            return;
        }

        await _owner.WriteHeadAsync(bufferedBodyLength);
        _started = true;
        if (_buffered is { WrittenCount: > 0 } buffered)
        {
            if (!_owner.BodySuppressed)
            {
                _output.Write(buffered.WrittenSpan);
            }

            buffered.ResetWrittenCount();
        }
    }

    private IBufferWriter<byte> Target()
    {
        if (_owner.IsAborted || (_started && _owner.BodySuppressed))
        {
            return _discard ??= new ArrayBufferWriter<byte>();
        }

        return _started ? _output : (_buffered ??= new ArrayBufferWriter<byte>());
    }

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException("The response body writer was completed; no more writes are allowed.");
        }
    }
}
