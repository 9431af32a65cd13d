using FcgiActors.Hosting.AspNetCore;

namespace FcgiActors.Hosting.Tests.AspNetCore;

public class CgiHeaderNamesTests
{
    [Theory]
    [InlineData("HTTP_ACCEPT_ENCODING", "Accept-Encoding")]
    [InlineData("HTTP_HOST", "Host")]
    [InlineData("HTTP_X_FORWARDED_FOR", "X-Forwarded-For")]
    [InlineData("HTTP_X", "X")]
    [InlineData("CONTENT_TYPE", "Content-Type")]
    [InlineData("CONTENT_LENGTH", "Content-Length")]
    public void ToHeaderName_HeaderVariable_ReturnsTitleCaseHeader(string variable, string header) =>
        Assert.Equal(header, CgiHeaderNames.ToHeaderName(variable));

    [Theory]
    [InlineData("HTTP_")]
    [InlineData("REQUEST_METHOD")]
    [InlineData("SCRIPT_FILENAME")]
    [InlineData("HTTPS")]
    public void ToHeaderName_NonHeaderVariable_ReturnsNull(string variable) =>
        Assert.Null(CgiHeaderNames.ToHeaderName(variable));

    [Theory]
    [InlineData("Accept-Encoding", "HTTP_ACCEPT_ENCODING")]
    [InlineData("content-type", "CONTENT_TYPE")]
    [InlineData("Content-Length", "CONTENT_LENGTH")]
    public void ToVariableName_Header_ReturnsCgiName(string header, string variable) =>
        Assert.Equal(variable, CgiHeaderNames.ToVariableName(header));
}
