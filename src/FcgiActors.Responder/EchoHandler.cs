using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;

namespace FcgiActors.Responder;

/// <summary>
/// The echo responder of the peers harness (FCGIecho-like), byte for byte the format of the C
/// libfcgi, Go and PHP echoes:
/// <code>
/// Content-Type: text/plain\r\n\r\n
/// query=QUERY_STRING method=REQUEST_METHOD count=N pid=PID content_length=CONTENT_LENGTH\n
/// the request body, verbatim
/// </code>
/// QUERY_STRING hooks: <c>sleep=MS</c> answers late, <c>size=N</c> sends N bytes of 'x' instead
/// of the body. The whole body is read before anything is written (spilling to a temporary
/// file past 1 MiB): nginx stops reading the response while it still sends the request body,
/// so a handler that writes while it reads deadlocks on large bodies behind nginx.
/// </summary>
public static class EchoHandler
{
    private const int SpillThreshold = 1024 * 1024;
    private const int ChunkSize = 64 * 1024;
    private static readonly byte[] s_header = "Content-Type: text/plain\r\n\r\n"u8.ToArray();
    private static readonly byte[] s_pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
    private static long s_count;

    /// <summary>Requests answered by this process so far.</summary>
    public static long RequestCount => Interlocked.Read(ref s_count);

    /// <summary>Serves one request.</summary>
    public static async Task HandleAsync(FcgiRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var count = Interlocked.Increment(ref s_count);
        context.Params.TryGetRaw("QUERY_STRING", out var query);
        var sleep = QueryNumber(query.Span, "sleep"u8);
        var size = QueryNumber(query.Span, "size"u8);
        if (context.ContentLength is > 0 and var length && length <= context.State.Connection.Server.Settings.StdinWindow / 2)
        {
            await EchoFromPipeAsync(context, query, count, sleep, size, length);
            return;
        }

        var body = new BodyBuffer(context.ContentLength);
        try
        {
            await body.ReadAllAsync(context.Body, context.Aborted);
            if (await BeginAnswerAsync(context, query, count, sleep, size))
            {
                await body.WriteToAsync(context.Output, context.Aborted);
            }
        }
        finally
        {
            await body.DisposeAsync();
        }
    }

    /// <summary>
    /// A body of at most half the STDIN window stays where the read loop put it, in the
    /// request's pipe, until it is echoed: one copy and one buffer less than
    /// <see cref="BodyBuffer"/>. Half the window, because a pipe holding a full window makes the
    /// read loop wait for the handler (or fail the request on a shared connection), and this
    /// handler does not read on before the whole body is there.
    /// </summary>
    private static async Task EchoFromPipeAsync(FcgiRequestContext context, ReadOnlyMemory<byte> query, long count, long sleep, long size, long length)
    {
        var reader = context.Body;
        ReadResult result;
        while (true)
        {
            result = await reader.ReadAsync(context.Aborted);
            if (result.IsCompleted || result.Buffer.Length >= length)
            {
                break;
            }

            // Nothing consumed, everything examined: the next read waits for more bytes.
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }

        try
        {
            if (await BeginAnswerAsync(context, query, count, sleep, size))
            {
                await WriteChunkedAsync(context.Output, result.Buffer, context.Aborted);
            }
        }
        finally
        {
            reader.AdvanceTo(result.Buffer.End);
        }
    }

    /// <summary>
    /// The delay asked for, the CGI header and the echo line; then the <c>size=N</c> fill when
    /// asked for. True when the body is still to be echoed.
    /// </summary>
    private static async ValueTask<bool> BeginAnswerAsync(FcgiRequestContext context, ReadOnlyMemory<byte> query, long count, long sleep, long size)
    {
        if (sleep > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(sleep), context.Aborted);
        }

        var output = context.Output;
        output.Write(s_header);
        WriteLine(output, context.Params, query.Span, count);
        if (size < 0)
        {
            return true;
        }

        await WriteFillAsync(output, size, context.Aborted);
        return false;
    }

    /// <summary>Writes <paramref name="body"/> in chunks of at most 64 KiB, flushing each; false once the output is closed.</summary>
    private static async ValueTask<bool> WriteChunkedAsync(PipeWriter output, ReadOnlySequence<byte> body, CancellationToken ct)
    {
        while (!body.IsEmpty)
        {
            // One pipe block per chunk (GetSpan with the chunk's size), not 16 KiB pieces.
            var n = (int)Math.Min(body.Length, ChunkSize);
            body.Slice(0, n).CopyTo(output.GetSpan(n));
            output.Advance(n);
            body = body.Slice(n);
            if ((await output.FlushAsync(ct)).IsCompleted)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The number after <c>key=</c> in a query string, or -1 (as the C echo's qs_num).</summary>
    internal static long QueryNumber(ReadOnlySpan<byte> query, ReadOnlySpan<byte> key)
    {
        while (!query.IsEmpty)
        {
            var amp = query.IndexOf((byte)'&');
            var part = amp < 0 ? query : query[..amp];
            if (part.Length > key.Length && part.StartsWith(key) && part[key.Length] == (byte)'=')
            {
                var digits = part[(key.Length + 1)..];
                var n = 0;
                while (n < digits.Length && char.IsAsciiDigit((char)digits[n]))
                {
                    n++;
                }

                return n > 0 && Utf8Parser.TryParse(digits[..n], out long value, out _) ? value : 0;
            }

            query = amp < 0 ? default : query[(amp + 1)..];
        }

        return -1;
    }

    /// <summary>
    /// "query=… method=… count=… pid=… content_length=…\n" straight from the PARAMS bytes (as
    /// the C echo prints them, byte for byte), with no strings on the way.
    /// </summary>
    private static void WriteLine(PipeWriter output, FcgiParams parameters, ReadOnlySpan<byte> query, long count)
    {
        parameters.TryGetRaw("REQUEST_METHOD", out var method);
        parameters.TryGetRaw("CONTENT_LENGTH", out var contentLength);
        var span = output.GetSpan(64 + query.Length + method.Length + contentLength.Length + s_pid.Length);
        var at = 0;
        Append(span, ref at, "query="u8);
        Append(span, ref at, query);
        Append(span, ref at, " method="u8);
        Append(span, ref at, method.Span);
        Append(span, ref at, " count="u8);
        Utf8Formatter.TryFormat(count, span[at..], out var written);
        at += written;
        Append(span, ref at, " pid="u8);
        Append(span, ref at, s_pid);
        Append(span, ref at, " content_length="u8);
        Append(span, ref at, contentLength.Span);
        span[at++] = (byte)'\n';
        output.Advance(at);
    }

    private static void Append(Span<byte> span, ref int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[at..]);
        at += bytes.Length;
    }

    private static async ValueTask WriteFillAsync(PipeWriter output, long size, CancellationToken ct)
    {
        while (size > 0)
        {
            var n = (int)Math.Min(size, ChunkSize);
            output.GetSpan(n)[..n].Fill((byte)'x');
            output.Advance(n);
            size -= n;
            if ((await output.FlushAsync(ct)).IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>The body in pooled memory up to 1 MiB, the rest in a temporary file.</summary>
    private sealed class BodyBuffer(long? contentLength) : IAsyncDisposable
    {
        private byte[]? _memory;
        private int _length;
        private FileStream? _spill;

        public async ValueTask ReadAllAsync(PipeReader reader, CancellationToken ct)
        {
            while (true)
            {
                var result = await reader.ReadAsync(ct);
                foreach (var segment in result.Buffer)
                {
                    await AppendAsync(segment, ct);
                }

                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }

        public async ValueTask WriteToAsync(PipeWriter output, CancellationToken ct)
        {
            if (_memory is not null && !await WriteChunkedAsync(output, new ReadOnlySequence<byte>(_memory, 0, _length), ct))
            {
                return;
            }

            if (_spill is not null)
            {
                _spill.Position = 0;
                while (true)
                {
                    var memory = output.GetMemory(ChunkSize);
                    var n = await _spill.ReadAsync(memory, ct);
                    if (n == 0)
                    {
                        break;
                    }

                    output.Advance(n);
                    if ((await output.FlushAsync(ct)).IsCompleted)
                    {
                        return;
                    }
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_memory is not null)
            {
                ArrayPool<byte>.Shared.Return(_memory);
                _memory = null;
            }

            if (_spill is not null)
            {
                await _spill.DisposeAsync();
                _spill = null;
            }
        }

        private async ValueTask AppendAsync(ReadOnlyMemory<byte> segment, CancellationToken ct)
        {
            if (_spill is null)
            {
                var room = SpillThreshold - _length;
                var take = Math.Min(room, segment.Length);
                if (take > 0)
                {
                    Grow(_length + take);
                    segment.Span[..take].CopyTo(_memory.AsSpan(_length));
                    _length += take;
                    segment = segment[take..];
                }

                if (segment.IsEmpty)
                {
                    return;
                }

                _spill = new FileStream(Path.Combine(Path.GetTempPath(), "fcgi-echo-" + Guid.NewGuid().ToString("N")),
                    FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
                    FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            }

            await _spill.WriteAsync(segment, ct);
        }

        private void Grow(int needed)
        {
            if (_memory is null || _memory.Length < needed)
            {
                // CONTENT_LENGTH (§6.2) sizes the buffer once; without it, it doubles.
                var first = _memory is null && contentLength is > 0 ? (int)Math.Min(contentLength.Value, SpillThreshold) : 0;
                var grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(first, Math.Min(SpillThreshold, Math.Max(4096, (_memory?.Length ?? 0) * 2)))));
                if (_memory is not null)
                {
                    _memory.AsSpan(0, _length).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(_memory);
                }

                _memory = grown;
            }
        }
    }
}
