using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace FcgiActors.Hosting.AspNetCore;

/// <summary>
/// Writes an ASP.NET Core response head as a CGI response head (RFC 3875 §6.2, §6.3): a
/// <c>Status: 200 OK</c> line, one line per header value, an empty line. The web server turns it
/// into its own status line; nginx, Apache and IIS all accept <c>Status:</c> first.
/// </summary>
internal static class CgiResponseHeaderWriter
{
    private static readonly byte[] StatusPrefix = "Status: "u8.ToArray();
    private static readonly byte[] CrLf = "\r\n"u8.ToArray();
    private static readonly byte[] Separator = ": "u8.ToArray();

    /// <summary>
    /// Writes the head to <paramref name="output"/>. Hop-by-hop fields (RFC 9110 §7.6.1) and a
    /// <c>Status</c> header set by the application are dropped: the web server owns the client
    /// connection and its framing, and the status comes from <paramref name="statusCode"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A header name or value holds a character that would split the head.</exception>
    public static void Write(IBufferWriter<byte> output, int statusCode, string? reasonPhrase, IHeaderDictionary headers)
    {
        if (statusCode is < 100 or > 999)
        {
            throw new InvalidOperationException($"Status code {statusCode} is not a three-digit HTTP status.");
        }

        var reason = string.IsNullOrEmpty(reasonPhrase) ? ReasonPhrases.GetReasonPhrase(statusCode) : reasonPhrase;

        // Validate everything before the first byte goes out, so a bad header leaves the output
        // untouched and the caller can still send a clean 500 instead.
        Validate(reason, "Status");
        foreach (var (name, values) in headers)
        {
            if (!IsDropped(name))
            {
                ValidateName(name);
                foreach (var value in values)
                {
                    Validate(value, name);
                }
            }
        }

        WriteAscii(output, StatusPrefix);
        WriteLatin1(output, statusCode.ToString(CultureInfo.InvariantCulture));
        if (reason.Length > 0)
        {
            WriteAscii(output, " "u8);
            WriteLatin1(output, reason);
        }

        WriteAscii(output, CrLf);

        foreach (var (name, values) in headers)
        {
            if (IsDropped(name))
            {
                continue;
            }

            foreach (var value in values)
            {
                if (value is null)
                {
                    continue;
                }

                WriteLatin1(output, name);
                WriteAscii(output, Separator);
                WriteLatin1(output, value);
                WriteAscii(output, CrLf);
            }
        }

        WriteAscii(output, CrLf);
    }

    private static bool IsDropped(string name) =>
        name.Equals("Status", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase);

    private static void ValidateName(string name)
    {
        if (name.Length == 0)
        {
            throw new InvalidOperationException("A response header has an empty name.");
        }

        foreach (var c in name)
        {
            // token = 1*tchar (RFC 9110 §5.6.2)
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
                || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
            if (!ok)
            {
                throw new InvalidOperationException($"Invalid character 0x{(int)c:X2} in response header name '{name}'.");
            }
        }
    }

    private static void Validate(string? text, string headerName)
    {
        if (text is null)
        {
            return;
        }

        foreach (var c in text)
        {
            // CR, LF or NUL would end the line early and let a value forge headers (response splitting).
            if (c is '\r' or '\n' or '\0' || c > 0xFF)
            {
                throw new InvalidOperationException(
                    $"Invalid character 0x{(int)c:X4} in response header '{headerName}'.");
            }
        }
    }

    private static void WriteAscii(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        var span = output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        output.Advance(bytes.Length);
    }

    private static void WriteLatin1(IBufferWriter<byte> output, string text)
    {
        var span = output.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            // Validated above: every char is Latin-1 and none ends a line.
            span[i] = (byte)text[i];
        }

        output.Advance(text.Length);
    }

    /// <summary>The head as text, for tests and logs.</summary>
    public static string Format(int statusCode, string? reasonPhrase, IHeaderDictionary headers)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(buffer, statusCode, reasonPhrase, headers);
        return Encoding.Latin1.GetString(buffer.WrittenSpan);
    }
}
