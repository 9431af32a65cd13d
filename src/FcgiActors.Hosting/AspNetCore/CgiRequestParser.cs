using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace FcgiActors.Hosting.AspNetCore;

/// <summary>
/// CGI meta-variables (RFC 3875 §4.1, plus the de-facto REQUEST_URI, REQUEST_SCHEME, HTTPS,
/// SERVER_ADDR, REMOTE_PORT that nginx, Apache and IIS send) → <see cref="CgiRequest"/>.
/// </summary>
/// <remarks>
/// Path rules, in order:
/// 1. REQUEST_URI (the raw target as the client sent it): path part decoded like Kestrel
///    (<see cref="CgiPath"/>), query part kept raw.
/// 2. Otherwise SCRIPT_NAME + PATH_INFO (already decoded by the server, RFC 3875 §4.1.5, §4.1.13).
/// QUERY_STRING wins over the query part of REQUEST_URI when both are present (nginx rewrites
/// change $args but not $request_uri, and the web server's view is the one the app should see).
/// </remarks>
internal static class CgiRequestParser
{
    public static CgiRequest Parse(IEnumerable<(string Name, string Value)> variables)
    {
        var request = new CgiRequest();
        string? requestUri = null, scriptName = null, pathInfo = null, queryString = null;
        string? https = null, requestScheme = null, contentLength = null;

        foreach (var (name, value) in variables)
        {
            switch (name)
            {
                case "REQUEST_METHOD":
                    request.Method = HttpMethods.GetCanonicalizedValue(value);
                    continue;
                case "REQUEST_URI":
                    requestUri = value;
                    continue;
                case "SCRIPT_NAME":
                    scriptName = value;
                    continue;
                case "PATH_INFO":
                    pathInfo = value;
                    continue;
                case "QUERY_STRING":
                    queryString = value;
                    continue;
                case "SERVER_PROTOCOL":
                    if (value.Length > 0)
                    {
                        request.Protocol = value switch
                        {
                            "HTTP/1.1" => HttpProtocol.Http11,
                            "HTTP/1.0" => HttpProtocol.Http10,
                            "HTTP/2.0" => HttpProtocol.Http2,
                            "HTTP/3.0" => HttpProtocol.Http3,
                            _ => value,
                        };
                    }

                    continue;
                case "HTTPS":
                    https = value;
                    continue;
                case "REQUEST_SCHEME":
                    requestScheme = value;
                    continue;
                case "REMOTE_ADDR":
                    request.RemoteIpAddress = ParseAddress(value);
                    continue;
                case "REMOTE_PORT":
                    request.RemotePort = ParsePort(value);
                    continue;
                case "SERVER_ADDR":
                    request.LocalIpAddress = ParseAddress(value);
                    continue;
                case "SERVER_PORT":
                    request.LocalPort = ParsePort(value);
                    continue;
                case "SERVER_NAME":
                    request.ServerName = value;
                    continue;
                case "SSL_CLIENT_CERT":
                    request.ClientCertificatePem = value.Length > 0 ? Uri.UnescapeDataString(value) : null;
                    continue;
                case "CONTENT_LENGTH":
                    contentLength = value;
                    continue;
                case "CONTENT_TYPE":
                    // nginx's stock fastcgi_params sends an empty CONTENT_TYPE for a bodyless request.
                    if (value.Length > 0)
                    {
                        request.Headers.ContentType = value;
                    }

                    continue;
                case "HTTP_CONTENT_TYPE" or "HTTP_CONTENT_LENGTH":
                    // CONTENT_TYPE / CONTENT_LENGTH are authoritative (RFC 3875 §4.1.2, §4.1.3); IIS sends both.
                    continue;
            }

            if (CgiHeaderNames.ToHeaderName(name) is { } header)
            {
                // Two HTTP_ variables can map to one header only when a server sends duplicates;
                // keep both values like a repeated header field.
                request.Headers[header] = request.Headers.TryGetValue(header, out var existing)
                    ? StringValues.Concat(existing, value)
                    : new StringValues(value);
            }
        }

        request.IsHttps = IsOn(https) || string.Equals(requestScheme, "https", StringComparison.OrdinalIgnoreCase);
        request.Scheme = request.IsHttps ? "https" : (string.IsNullOrEmpty(requestScheme) ? "http" : requestScheme.ToLowerInvariant());

        // nginx sends CONTENT_LENGTH with an empty value for GET with the stock fastcgi_params.
        if (!string.IsNullOrEmpty(contentLength)
            && long.TryParse(contentLength, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            request.ContentLength = length;
            request.Headers.ContentLength = length;
        }

        SetTarget(request, requestUri, scriptName, pathInfo, queryString);
        return request;
    }

    private static void SetTarget(CgiRequest request, string? requestUri, string? scriptName, string? pathInfo, string? queryString)
    {
        string? rawQuery = null;
        if (!string.IsNullOrEmpty(requestUri))
        {
            request.RawTarget = requestUri;
            var question = requestUri.IndexOf('?');
            var rawPath = question < 0 ? requestUri : requestUri[..question];
            rawQuery = question < 0 ? null : requestUri[(question + 1)..];

            // An absolute-form target ("http://host/path", RFC 9112 §3.2.2) reaches us verbatim from some servers.
            if (!rawPath.StartsWith('/') && Uri.TryCreate(rawPath, UriKind.Absolute, out var absolute))
            {
                rawPath = absolute.AbsolutePath;
            }

            request.Path = CgiPath.RemoveDotSegments(CgiPath.Decode(rawPath));
        }
        else
        {
            var path = (scriptName ?? string.Empty) + (pathInfo ?? string.Empty);
            request.Path = CgiPath.RemoveDotSegments(path);
            request.RawTarget = request.Path + (string.IsNullOrEmpty(queryString) ? string.Empty : "?" + queryString);
        }

        var query = queryString ?? rawQuery;
        request.QueryString = string.IsNullOrEmpty(query) ? string.Empty : "?" + query;
    }

    private static bool IsOn(string? https) =>
        https is not null && (https.Equals("on", StringComparison.OrdinalIgnoreCase) || https == "1");

    private static IPAddress? ParseAddress(string value)
    {
        // IIS and some Apache builds bracket IPv6 literals.
        var text = value.Length > 1 && value[0] == '[' && value[^1] == ']' ? value[1..^1] : value;
        return IPAddress.TryParse(text, out var address) ? address : null;
    }

    private static int ParsePort(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535 ? port : 0;
}
