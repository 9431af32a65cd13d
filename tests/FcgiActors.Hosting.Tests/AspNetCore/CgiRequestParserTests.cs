using System.Net;
using FcgiActors.Hosting.AspNetCore;

namespace FcgiActors.Hosting.Tests.AspNetCore;

public class CgiRequestParserTests
{
    // What nginx sends with the stock fastcgi_params for "GET /hello/w%C3%B6rld?x=1 HTTP/1.1".
    private static readonly (string, string)[] NginxGet =
    [
        ("QUERY_STRING", "x=1"),
        ("REQUEST_METHOD", "GET"),
        ("CONTENT_TYPE", ""),
        ("CONTENT_LENGTH", ""),
        ("SCRIPT_NAME", "/hello/wörld"),
        ("REQUEST_URI", "/hello/w%C3%B6rld?x=1"),
        ("DOCUMENT_URI", "/hello/wörld"),
        ("SERVER_PROTOCOL", "HTTP/1.1"),
        ("REQUEST_SCHEME", "http"),
        ("REMOTE_ADDR", "127.0.0.1"),
        ("REMOTE_PORT", "51234"),
        ("SERVER_ADDR", "127.0.0.2"),
        ("SERVER_PORT", "8080"),
        ("SERVER_NAME", "example.test"),
        ("HTTP_HOST", "example.test:8080"),
        ("HTTP_ACCEPT_ENCODING", "gzip"),
        ("HTTP_USER_AGENT", "curl/7.88"),
    ];

    [Fact]
    public void Parse_NginxGet_MapsRequestLine()
    {
        var request = CgiRequestParser.Parse(NginxGet);

        Assert.Equal("GET", request.Method);
        Assert.Equal("http", request.Scheme);
        Assert.Equal("/hello/wörld", request.Path);
        Assert.Equal(string.Empty, request.PathBase);
        Assert.Equal("?x=1", request.QueryString);
        Assert.Equal("/hello/w%C3%B6rld?x=1", request.RawTarget);
        Assert.Equal("HTTP/1.1", request.Protocol);
        Assert.Null(request.ContentLength);
        Assert.False(request.IsHttps);
    }

    [Fact]
    public void Parse_NginxGet_MapsHeadersAndSkipsEmptyContentHeaders()
    {
        var request = CgiRequestParser.Parse(NginxGet);

        Assert.Equal("example.test:8080", request.Headers.Host);
        Assert.Equal("gzip", request.Headers["Accept-Encoding"]);
        Assert.Equal("curl/7.88", request.Headers.UserAgent);
        Assert.False(request.Headers.ContainsKey("Content-Type"));
        Assert.False(request.Headers.ContainsKey("Content-Length"));
        Assert.Equal(3, request.Headers.Count);
    }

    [Fact]
    public void Parse_NginxGet_MapsConnectionAddresses()
    {
        var request = CgiRequestParser.Parse(NginxGet);

        Assert.Equal(IPAddress.Loopback, request.RemoteIpAddress);
        Assert.Equal(51234, request.RemotePort);
        Assert.Equal(IPAddress.Parse("127.0.0.2"), request.LocalIpAddress);
        Assert.Equal(8080, request.LocalPort);
        Assert.Equal("example.test", request.ServerName);
    }

    [Fact]
    public void Parse_PostWithBody_SetsContentLengthAndType()
    {
        var request = CgiRequestParser.Parse(
        [
            ("REQUEST_METHOD", "post"), ("REQUEST_URI", "/upload"), ("CONTENT_LENGTH", "10485760"),
            ("CONTENT_TYPE", "application/octet-stream"), ("HTTP_CONTENT_LENGTH", "1"), ("HTTP_CONTENT_TYPE", "text/plain"),
        ]);

        Assert.Equal("POST", request.Method);
        Assert.Equal(10485760, request.ContentLength);
        Assert.Equal(10485760, request.Headers.ContentLength);
        Assert.Equal("application/octet-stream", request.Headers.ContentType);
    }

    [Theory]
    [InlineData("HTTPS", "on")]
    [InlineData("HTTPS", "ON")]
    [InlineData("HTTPS", "1")]
    [InlineData("REQUEST_SCHEME", "https")]
    public void Parse_HttpsIndicator_SetsHttpsScheme(string name, string value)
    {
        var request = CgiRequestParser.Parse([("REQUEST_URI", "/"), (name, value)]);

        Assert.True(request.IsHttps);
        Assert.Equal("https", request.Scheme);
    }

    [Fact]
    public void Parse_HttpsOff_KeepsHttp()
    {
        var request = CgiRequestParser.Parse([("REQUEST_URI", "/"), ("HTTPS", "off")]);

        Assert.False(request.IsHttps);
        Assert.Equal("http", request.Scheme);
    }

    [Fact]
    public void Parse_NoRequestUri_UsesScriptNameAndPathInfo()
    {
        var request = CgiRequestParser.Parse(
            [("SCRIPT_NAME", "/app"), ("PATH_INFO", "/items/7"), ("QUERY_STRING", "a=b")]);

        Assert.Equal("/app/items/7", request.Path);
        Assert.Equal("?a=b", request.QueryString);
        Assert.Equal("/app/items/7?a=b", request.RawTarget);
    }

    [Fact]
    public void Parse_QueryStringDiffersFromRequestUri_QueryStringWins()
    {
        var request = CgiRequestParser.Parse([("REQUEST_URI", "/a?old=1"), ("QUERY_STRING", "new=2")]);

        Assert.Equal("?new=2", request.QueryString);
    }

    [Fact]
    public void Parse_RequestUriWithQueryOnly_TakesQueryFromIt()
    {
        var request = CgiRequestParser.Parse([("REQUEST_URI", "/a?q=%20")]);

        Assert.Equal("/a", request.Path);
        Assert.Equal("?q=%20", request.QueryString);
    }

    [Fact]
    public void Parse_DotSegmentsInRequestUri_AreRemoved()
    {
        var request = CgiRequestParser.Parse([("REQUEST_URI", "/public/../admin/%2e%2e/x")]);

        Assert.Equal("/x", request.Path);
    }

    [Fact]
    public void Parse_AbsoluteFormTarget_TakesItsPath()
    {
        var request = CgiRequestParser.Parse([("REQUEST_URI", "http://example.test/a/b?c=d")]);

        Assert.Equal("/a/b", request.Path);
        Assert.Equal("?c=d", request.QueryString);
    }

    [Fact]
    public void Parse_NothingSent_GivesDefaults()
    {
        var request = CgiRequestParser.Parse([]);

        Assert.Equal("GET", request.Method);
        Assert.Equal("/", request.Path);
        Assert.Equal(string.Empty, request.QueryString);
        Assert.Equal("HTTP/1.1", request.Protocol);
        Assert.Null(request.RemoteIpAddress);
    }

    [Theory]
    [InlineData("not-a-port", 0)]
    [InlineData("70000", 0)]
    [InlineData("-1", 0)]
    [InlineData("443", 443)]
    public void Parse_RemotePort_InvalidBecomesZero(string text, int expected) =>
        Assert.Equal(expected, CgiRequestParser.Parse([("REMOTE_PORT", text)]).RemotePort);

    [Theory]
    [InlineData("::1")]
    [InlineData("[::1]")]
    public void Parse_Ipv6RemoteAddress_WithOrWithoutBrackets(string text) =>
        Assert.Equal(IPAddress.IPv6Loopback, CgiRequestParser.Parse([("REMOTE_ADDR", text)]).RemoteIpAddress);

    [Fact]
    public void Parse_InvalidContentLength_IsIgnored()
    {
        var request = CgiRequestParser.Parse([("CONTENT_LENGTH", "-5")]);

        Assert.Null(request.ContentLength);
        Assert.False(request.Headers.ContainsKey("Content-Length"));
    }

    [Fact]
    public void Parse_RepeatedHeaderVariable_KeepsBothValues()
    {
        var request = CgiRequestParser.Parse([("HTTP_X_A", "1"), ("HTTP_X_A", "2")]);

        Assert.Equal("1,2", request.Headers["X-A"].ToString());
    }
}
