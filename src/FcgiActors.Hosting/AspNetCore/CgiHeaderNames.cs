using System.Collections.Concurrent;
using System.Text;

namespace FcgiActors.Hosting.AspNetCore;

/// <summary>
/// CGI meta-variable names ↔ HTTP header names (RFC 3875 §4.1.18: "HTTP_" + upper case, '-' → '_').
/// The mapping back is lossy (case and '-' vs '_'), so the HTTP spelling is rebuilt as the
/// conventional Title-Case (HTTP_ACCEPT_ENCODING → Accept-Encoding); header names are
/// case-insensitive (RFC 9110 §5.1), so nothing an application can rely on is lost.
/// </summary>
internal static class CgiHeaderNames
{
    private const string Prefix = "HTTP_";

    // Names seen on every request: converted once per process, not once per request.
    private static readonly ConcurrentDictionary<string, string> Cache = new(StringComparer.Ordinal);

    /// <summary>
    /// The HTTP header name for a CGI variable, or null when it is not a header variable.
    /// CONTENT_TYPE and CONTENT_LENGTH carry the two headers CGI does not prefix (RFC 3875 §4.1.2, §4.1.3).
    /// </summary>
    public static string? ToHeaderName(string variable)
    {
        if (variable.Length > Prefix.Length && variable.StartsWith(Prefix, StringComparison.Ordinal))
        {
            if (Cache.TryGetValue(variable, out var cached))
            {
                return cached;
            }

            var name = TitleCase(variable.AsSpan(Prefix.Length));
            if (Cache.Count < 1024)
            {
                Cache.TryAdd(variable, name);
            }

            return name;
        }

        return variable switch
        {
            "CONTENT_TYPE" => "Content-Type",
            "CONTENT_LENGTH" => "Content-Length",
            _ => null,
        };
    }

    /// <summary>The CGI variable for an HTTP header name (Accept-Encoding → HTTP_ACCEPT_ENCODING).</summary>
    public static string ToVariableName(string headerName)
    {
        if (headerName.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
        {
            return "CONTENT_TYPE";
        }

        if (headerName.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
        {
            return "CONTENT_LENGTH";
        }

        var builder = new StringBuilder(Prefix.Length + headerName.Length).Append(Prefix);
        foreach (var c in headerName)
        {
            builder.Append(c == '-' ? '_' : char.ToUpperInvariant(c));
        }

        return builder.ToString();
    }

    private static string TitleCase(ReadOnlySpan<char> upper)
    {
        return string.Create(upper.Length, upper.ToString(), static (span, source) =>
        {
            var startOfWord = true;
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                if (c == '_')
                {
                    span[i] = '-';
                    startOfWord = true;
                }
                else
                {
                    span[i] = startOfWord ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c);
                    startOfWord = false;
                }
            }
        });
    }
}
