using System.Buffers;
using FcgiActors.Protocol;

namespace FcgiActors.Benchmarks;

/// <summary>Inputs shared by the protocol benchmarks.</summary>
internal static class BenchmarkData
{
    /// <summary>
    /// The ~30 PARAMS nginx sends for a PHP request with the stock fastcgi_params, a browser's
    /// headers and a session cookie: about 1.2 KB encoded.
    /// </summary>
    public static readonly (string Name, string Value)[] NginxParams =
    [
        ("QUERY_STRING", "page=2&sort=desc&q=fastcgi+multiplexing"),
        ("REQUEST_METHOD", "GET"),
        ("CONTENT_TYPE", ""),
        ("CONTENT_LENGTH", ""),
        ("SCRIPT_NAME", "/index.php"),
        ("REQUEST_URI", "/articles/fastcgi?page=2&sort=desc&q=fastcgi+multiplexing"),
        ("DOCUMENT_URI", "/index.php"),
        ("DOCUMENT_ROOT", "/var/www/html/public"),
        ("SERVER_PROTOCOL", "HTTP/1.1"),
        ("REQUEST_SCHEME", "https"),
        ("HTTPS", "on"),
        ("GATEWAY_INTERFACE", "CGI/1.1"),
        ("SERVER_SOFTWARE", "nginx/1.22.1"),
        ("REMOTE_ADDR", "203.0.113.57"),
        ("REMOTE_PORT", "51544"),
        ("SERVER_ADDR", "198.51.100.10"),
        ("SERVER_PORT", "443"),
        ("SERVER_NAME", "www.example.org"),
        ("REDIRECT_STATUS", "200"),
        ("SCRIPT_FILENAME", "/var/www/html/public/index.php"),
        ("PATH_INFO", ""),
        ("HTTP_HOST", "www.example.org"),
        ("HTTP_USER_AGENT", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"),
        ("HTTP_ACCEPT", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"),
        ("HTTP_ACCEPT_LANGUAGE", "en-GB,en;q=0.7,de;q=0.3"),
        ("HTTP_ACCEPT_ENCODING", "gzip, deflate, br, zstd"),
        ("HTTP_REFERER", "https://www.example.org/articles?page=1"),
        ("HTTP_COOKIE", "PHPSESSID=9f8c2d0e6b1a4f7c8e3d5b2a1c0f9e8d; theme=dark; consent=1; _ga=GA1.2.1234567890.1700000000"),
        ("HTTP_UPGRADE_INSECURE_REQUESTS", "1"),
        ("HTTP_SEC_FETCH_DEST", "document"),
    ];

    /// <summary><see cref="NginxParams"/> as UTF-8, so encoding benchmarks measure the codec, not the transcoder.</summary>
    public static readonly (byte[] Name, byte[] Value)[] NginxParamsUtf8 =
        NginxParams.Select(p => (System.Text.Encoding.UTF8.GetBytes(p.Name), System.Text.Encoding.UTF8.GetBytes(p.Value))).ToArray();

    /// <summary>The encoded pairs of <see cref="NginxParams"/>: one PARAMS record's content.</summary>
    public static byte[] NginxParamsContent()
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new ParamsWriter(output, 1))
        {
            foreach (var (name, value) in NginxParamsUtf8)
            {
                writer.Add(name, value);
            }

            writer.Complete();
        }

        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);
        RecordReader.TryRead(ref buffer, out _, out var content);
        return content.ToArray();
    }

    /// <summary>
    /// <paramref name="data"/> as a sequence of <paramref name="segmentSize"/>-byte segments, the
    /// shape a <c>Pipe</c> with its default 4 KiB pool blocks hands to a reader.
    /// </summary>
    public static ReadOnlySequence<byte> Segmented(byte[] data, int segmentSize)
    {
        var first = new Segment(data.AsMemory(0, Math.Min(segmentSize, data.Length)), 0);
        var last = first;
        for (var offset = segmentSize; offset < data.Length; offset += segmentSize)
        {
            last = last.Append(data.AsMemory(offset, Math.Min(segmentSize, data.Length - offset)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
