using System.Buffers;
using System.Text;

namespace FcgiActors.Hosting.AspNetCore;

/// <summary>
/// Turns the raw request target a web server passes (REQUEST_URI, still percent-encoded) into the
/// decoded, normalized path ASP.NET Core expects in <c>HttpRequest.Path</c> — the way Kestrel does:
/// percent-decoding everything except "%2F" (a decoded '/' would change the segment structure
/// routing sees), then removing dot segments (RFC 3986 §5.2.4) so "/a/../admin" cannot reach a
/// route that the web server's own location matching saw as "/admin" anyway.
/// </summary>
internal static class CgiPath
{
    /// <summary>Decodes %XX escapes (not %2F) as UTF-8; an invalid escape or invalid UTF-8 keeps the raw text.</summary>
    public static string Decode(string raw)
    {
        if (raw.IndexOf('%') < 0)
        {
            return raw;
        }

        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(raw.Length));
        try
        {
            var length = 0;
            for (var i = 0; i < raw.Length; i++)
            {
                var c = raw[i];
                if (c == '%' && i + 2 < raw.Length && TryHex(raw[i + 1], raw[i + 2], out var value) && value != (byte)'/')
                {
                    bytes[length++] = value;
                    i += 2;
                }
                else if (c < 0x80)
                {
                    bytes[length++] = (byte)c;
                }
                else
                {
                    length += Encoding.UTF8.GetBytes(raw.AsSpan(i, 1), bytes.AsSpan(length));
                }
            }

            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, length);
            }
            catch (DecoderFallbackException)
            {
                return raw;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Removes "." and ".." segments (RFC 3986 §5.2.4); the result always starts with '/'.</summary>
    public static string RemoveDotSegments(string path)
    {
        if (path.Length == 0)
        {
            return "/";
        }

        if (!path.Contains("/.", StringComparison.Ordinal) && path[0] == '/')
        {
            return path;
        }

        var segments = new List<string>();
        var parts = path.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var last = i == parts.Length - 1;
            if (i == 0 && part.Length == 0)
            {
                continue;
            }

            if (part == ".")
            {
                if (last)
                {
                    segments.Add(string.Empty);
                }
            }
            else if (part == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }

                if (last)
                {
                    segments.Add(string.Empty);
                }
            }
            else
            {
                segments.Add(part);
            }
        }

        return "/" + string.Join('/', segments);
    }

    private static bool TryHex(char high, char low, out byte value)
    {
        var h = HexValue(high);
        var l = HexValue(low);
        value = (byte)((h << 4) | l);
        return h >= 0 && l >= 0;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
