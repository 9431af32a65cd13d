using System.Globalization;
using System.IO.Pipelines;
using System.Text;

namespace FcgiActors.Proxy.Relay;

/// <summary>
/// The answers the proxy writes itself, as CGI responses on STDOUT (RFC 3875 §6.3.3
/// `Status:`): nginx and Apache ignore END_REQUEST's protocolStatus, so the status line is
/// the only way a browser learns of an overload or a backend failure.
/// </summary>
internal static class CgiResponses
{
    public static async Task WriteAsync(PipeWriter output, int status, string body, int retryAfterSeconds = 0)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"Status: {status} {ReasonPhrase(status)}\r\n")
            .Append("Content-Type: text/plain; charset=utf-8\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n");
        if (retryAfterSeconds > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"Retry-After: {retryAfterSeconds}\r\n");
        }

        text.Append("\r\n").Append(body);
        await output.WriteAsync(Encoding.UTF8.GetBytes(text.ToString())).ConfigureAwait(false);
    }

    public static string ReasonPhrase(int status) => status switch
    {
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    };
}
