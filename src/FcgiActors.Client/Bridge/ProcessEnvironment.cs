using System.Collections;
using System.Text;

namespace FcgiActors.Client.Bridge;

/// <summary>
/// The process environment as raw name/value byte pairs, in order — what cgi-fcgi walks in
/// <c>envp</c>. Read from /proc/self/environ where available, so bytes that are not UTF-8
/// reach the application unchanged.
/// </summary>
public static class ProcessEnvironment
{
    /// <summary>Every <c>NAME=value</c> entry, split at the first '='; entries without one are skipped.</summary>
    public static IReadOnlyList<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>> Read()
    {
        byte[]? raw = null;
        try
        {
            raw = File.ReadAllBytes("/proc/self/environ");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        if (raw is not null)
        {
            return Split(raw);
        }

        var pairs = new List<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            pairs.Add(new(Encoding.UTF8.GetBytes((string)entry.Key), Encoding.UTF8.GetBytes((string?)entry.Value ?? "")));
        }

        return pairs;
    }

    /// <summary>Splits NUL-separated <c>NAME=value</c> entries.</summary>
    public static IReadOnlyList<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>> Split(ReadOnlyMemory<byte> environ)
    {
        var pairs = new List<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>>();
        var rest = environ;
        while (!rest.IsEmpty)
        {
            var end = rest.Span.IndexOf((byte)0);
            var entry = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 1)..];
            var equals = entry.Span.IndexOf((byte)'=');
            if (equals > 0)
            {
                pairs.Add(new(entry[..equals], entry[(equals + 1)..]));
            }
        }

        return pairs;
    }

    /// <summary>
    /// The number of STDIN bytes to send: CONTENT_LENGTH when it is a decimal number, else 0
    /// (missing, empty, negative or garbage).
    /// </summary>
    public static long ContentLength(IReadOnlyList<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        foreach (var (name, value) in environment)
        {
            if (name.Span.SequenceEqual("CONTENT_LENGTH"u8))
            {
                var text = value.Span.Trim((byte)' ');
                return text.Length is > 0 and <= 18 && System.Buffers.Text.Utf8Parser.TryParse(text, out long n, out var used)
                    && used == text.Length && n >= 0 ? n : 0;
            }
        }

        return 0;
    }
}
