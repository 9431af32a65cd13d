using System.Net;
using Microsoft.AspNetCore.Http;

namespace FcgiActors.Hosting.AspNetCore;

/// <summary>The HTTP request a web server described in CGI meta-variables (RFC 3875 §4.1), as ASP.NET Core fields.</summary>
internal sealed class CgiRequest
{
    public string Method { get; set; } = HttpMethods.Get;

    public string Scheme { get; set; } = "http";

    public string PathBase { get; set; } = string.Empty;

    public string Path { get; set; } = "/";

    /// <summary>"" or "?..." as <c>IHttpRequestFeature.QueryString</c> wants it.</summary>
    public string QueryString { get; set; } = string.Empty;

    public string RawTarget { get; set; } = "/";

    public string Protocol { get; set; } = "HTTP/1.1";

    public IHeaderDictionary Headers { get; } = new HeaderDictionary();

    public IPAddress? RemoteIpAddress { get; set; }

    public int RemotePort { get; set; }

    public IPAddress? LocalIpAddress { get; set; }

    public int LocalPort { get; set; }

    public string? ServerName { get; set; }

    public bool IsHttps { get; set; }

    public long? ContentLength { get; set; }

    /// <summary>PEM of the TLS client certificate when the web server passes one (SSL_CLIENT_CERT).</summary>
    public string? ClientCertificatePem { get; set; }
}
