using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace FcgiActors.Responder.Libfcgi;

public sealed partial class FcgxRequest
{
    /// <summary>
    /// FCGX_GetStr: reads up to <paramref name="buffer"/>.Length body bytes, blocking until
    /// some arrive. Returns the count, 0 at the end of the stream, -1 on error.
    /// </summary>
    public int GetStr(Span<byte> buffer)
    {
        if (Context is null)
        {
            return Fail(FcgxErrorCode.CallSequenceError, "GetStr without an accepted request.");
        }

        var total = 0;
        if (_peeked >= 0 && !buffer.IsEmpty)
        {
            buffer[0] = (byte)_peeked;
            _peeked = -1;
            buffer = buffer[1..];
            total = 1;
        }

        try
        {
            while (!buffer.IsEmpty)
            {
                var n = In.Read(buffer);
                if (n == 0)
                {
                    HasSeenEof = true;
                    break;
                }

                total += n;
                buffer = buffer[n..];
            }

            return total;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            return ReadFailed(e);
        }
    }

    /// <summary>FCGX_GetStr with libfcgi's (buffer, n) arguments.</summary>
    public int GetStr(byte[] buffer, int n) => GetStr(buffer.AsSpan(0, n));

    /// <summary>Alias of <see cref="GetStr(Span{byte})"/> (libfcgi2 GetBytes).</summary>
    public int GetBytes(Span<byte> buffer) => GetStr(buffer);

    /// <summary>Alias of <see cref="GetStr(Span{byte})"/> (read(2)-like name).</summary>
    public int Read(Span<byte> buffer) => GetStr(buffer);

    /// <summary>FCGX_GetStr for async callers: fills as much of <paramref name="buffer"/> as arrives before the end.</summary>
    public async ValueTask<int> GetStrAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (Context is null)
        {
            return Fail(FcgxErrorCode.CallSequenceError, "GetStr without an accepted request.");
        }

        var total = 0;
        if (_peeked >= 0 && !buffer.IsEmpty)
        {
            buffer.Span[0] = (byte)_peeked;
            _peeked = -1;
            buffer = buffer[1..];
            total = 1;
        }

        try
        {
            while (!buffer.IsEmpty)
            {
                var n = await In.ReadAsync(buffer, ct);
                if (n == 0)
                {
                    HasSeenEof = true;
                    break;
                }

                total += n;
                buffer = buffer[n..];
            }

            return total;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            return ReadFailed(e);
        }
    }

    /// <summary>FCGX_GetChar: the next body byte, or -1 at the end (or on error).</summary>
    public int GetChar()
    {
        Span<byte> one = stackalloc byte[1];
        return GetStr(one) == 1 ? one[0] : -1;
    }

    /// <summary>FCGX_UnGetChar: pushes one byte back. Returns it, or -1 when one is already pushed back.</summary>
    public int UnGetChar(int c)
    {
        if (_peeked >= 0 || c is < 0 or > 255)
        {
            return -1;
        }

        _peeked = c;
        return c;
    }

    /// <summary>FCGX_GetLine: up to <paramref name="maxBytes"/> bytes through the next '\n' (kept), as UTF-8; null at the end.</summary>
    public string? GetLine(int maxBytes = 8192)
    {
        var line = new ArrayBufferWriter<byte>(128);
        while (line.WrittenCount < maxBytes)
        {
            var c = GetChar();
            if (c < 0)
            {
                break;
            }

            line.Write([(byte)c]);
            if (c == '\n')
            {
                break;
            }
        }

        return line.WrittenCount == 0 ? null : Encoding.UTF8.GetString(line.WrittenSpan);
    }

    /// <summary>FCGX_HasSeenEOF: true once a read returned the end of the stream.</summary>
    public bool HasSeenEof { get; private set; }

    /// <summary>
    /// FCGX_PutStr: buffers <paramref name="bytes"/> for <paramref name="stream"/> (sent on
    /// Flush, Finish, the next Accept, or as the buffer passes 64 KiB). Returns the count, or -1.
    /// </summary>
    public int PutStr(ReadOnlySpan<byte> bytes, FcgxStream stream = FcgxStream.Out)
    {
        var writer = Writer(stream);
        if (writer is null)
        {
            return Fail(FcgxErrorCode.CallSequenceError, Context is null ? "PutStr without an accepted request." : "PutStr to the input stream.");
        }

        writer.Write(bytes);
        if (writer.UnflushedBytes >= AutoFlushBytes && Flush(stream) < 0)
        {
            return -1;
        }

        return bytes.Length;
    }

    /// <summary>FCGX_PutS: a string as UTF-8.</summary>
    public int PutStr(string text, FcgxStream stream = FcgxStream.Out)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetByteCount(text);
        var rented = ArrayPool<byte>.Shared.Rent(bytes);
        try
        {
            Encoding.UTF8.GetBytes(text, rented);
            return PutStr(rented.AsSpan(0, bytes), stream);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>FCGX_PutS.</summary>
    public int PutS(string text, FcgxStream stream = FcgxStream.Out) => PutStr(text, stream);

    /// <summary>FCGX_PutChar: one byte. Returns it, or -1.</summary>
    public int PutChar(int c, FcgxStream stream = FcgxStream.Out) =>
        PutStr([(byte)c], stream) == 1 ? c & 0xFF : -1;

    /// <summary>Alias of <see cref="PutStr(ReadOnlySpan{byte}, FcgxStream)"/> (libfcgi2 PutBytes).</summary>
    public int PutBytes(ReadOnlySpan<byte> bytes, FcgxStream stream = FcgxStream.Out) => PutStr(bytes, stream);

    /// <summary>Alias of <see cref="PutStr(ReadOnlySpan{byte}, FcgxStream)"/> (write(2)-like name).</summary>
    public int Write(ReadOnlySpan<byte> bytes, FcgxStream stream = FcgxStream.Out) => PutStr(bytes, stream);

    /// <summary>FCGX_PutStr for async callers: never blocks a thread while the output window is full.</summary>
    public async ValueTask<int> PutStrAsync(ReadOnlyMemory<byte> bytes, FcgxStream stream = FcgxStream.Out, CancellationToken ct = default)
    {
        var writer = Writer(stream);
        if (writer is null)
        {
            return Fail(FcgxErrorCode.CallSequenceError, "PutStr without an accepted request.");
        }

        writer.Write(bytes.Span);
        if (writer.UnflushedBytes >= AutoFlushBytes && await FlushAsync(stream, ct) < 0)
        {
            return -1;
        }

        return bytes.Length;
    }

    /// <summary>
    /// FCGX_FFlush: sends what is buffered for <paramref name="stream"/> now, waiting while the
    /// request's output window is full. Returns 0, or -1 when the request was aborted.
    /// </summary>
    public int Flush(FcgxStream stream = FcgxStream.Out)
    {
        var context = Context;
        if (context is null || stream == FcgxStream.In)
        {
            return stream == FcgxStream.In ? 0 : Fail(FcgxErrorCode.CallSequenceError, "Flush without an accepted request.");
        }

        try
        {
            // The stream's synchronous Flush is the pipe's flush, waited for on this thread:
            // this is the blocking call a ported C program expects.
            (stream == FcgxStream.Out ? context.OutputStream : context.ErrorStream).Flush();
            return context.Aborted.IsCancellationRequested ? Fail(FcgxErrorCode.Aborted, "The web server aborted the request.") : 0;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            return Fail(FcgxErrorCode.ProtocolError, e.Message);
        }
    }

    /// <summary>FCGX_FFlush for async callers.</summary>
    public async ValueTask<int> FlushAsync(FcgxStream stream = FcgxStream.Out, CancellationToken ct = default)
    {
        var writer = Writer(stream);
        if (writer is null)
        {
            return stream == FcgxStream.In ? 0 : Fail(FcgxErrorCode.CallSequenceError, "Flush without an accepted request.");
        }

        try
        {
            var result = await writer.FlushAsync(ct);
            return result.IsCompleted ? Fail(FcgxErrorCode.Aborted, "The web server aborted the request.") : 0;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            return Fail(FcgxErrorCode.ProtocolError, e.Message);
        }
    }

    private int ReadFailed(Exception e)
    {
        HasSeenEof = true;
        return Context is { } context && context.Aborted.IsCancellationRequested || e is OperationCanceledException
            ? Fail(FcgxErrorCode.Aborted, "The web server aborted the request: " + e.Message)
            : Fail(FcgxErrorCode.ProtocolError, e.Message);
    }
}
