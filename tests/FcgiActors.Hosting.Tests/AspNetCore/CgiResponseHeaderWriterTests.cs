using FcgiActors.Hosting.AspNetCore;
using Microsoft.AspNetCore.Http;

namespace FcgiActors.Hosting.Tests.AspNetCore;

public class CgiResponseHeaderWriterTests
{
    [Fact]
    public void Write_StatusAndHeaders_ProducesCgiHead()
    {
        var headers = new HeaderDictionary { ["Content-Type"] = "text/plain", ["Set-Cookie"] = new(["a=1", "b=2"]) };

        var head = CgiResponseHeaderWriter.Format(404, null, headers);

        Assert.Equal("Status: 404 Not Found\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n", head);
    }

    [Fact]
    public void Write_CustomReasonPhrase_IsUsed() =>
        Assert.Equal("Status: 200 Fine\r\n\r\n", CgiResponseHeaderWriter.Format(200, "Fine", new HeaderDictionary()));

    [Fact]
    public void Write_UnknownStatusWithoutReason_WritesCodeOnly() =>
        Assert.Equal("Status: 599\r\n\r\n", CgiResponseHeaderWriter.Format(599, null, new HeaderDictionary()));

    [Fact]
    public void Write_HopByHopAndStatusHeaders_AreDropped()
    {
        var headers = new HeaderDictionary
        {
            ["Connection"] = "close", ["Transfer-Encoding"] = "chunked", ["Keep-Alive"] = "timeout=5",
            ["Status"] = "302", ["Upgrade"] = "websocket", ["X-Kept"] = "1",
        };

        Assert.Equal("Status: 200 OK\r\nX-Kept: 1\r\n\r\n", CgiResponseHeaderWriter.Format(200, null, headers));
    }

    [Theory]
    [InlineData("evil\r\nX-Injected: 1")]
    [InlineData("evil\nX-Injected: 1")]
    [InlineData("nul\0")]
    public void Write_ValueWithLineBreak_Throws(string value) =>
        Assert.Throws<InvalidOperationException>(() =>
            CgiResponseHeaderWriter.Format(200, null, new HeaderDictionary { ["X-A"] = value }));

    [Theory]
    [InlineData("Bad Name")]
    [InlineData("Bad:Name")]
    [InlineData("Bad\r\nName")]
    public void Write_InvalidHeaderName_Throws(string name) =>
        Assert.Throws<InvalidOperationException>(() =>
            CgiResponseHeaderWriter.Format(200, null, new HeaderDictionary { [name] = "v" }));

    [Theory]
    [InlineData(99)]
    [InlineData(1000)]
    public void Write_StatusOutOfRange_Throws(int status) =>
        Assert.Throws<InvalidOperationException>(() => CgiResponseHeaderWriter.Format(status, null, new HeaderDictionary()));

    [Fact]
    public void Write_Latin1Value_IsWrittenAsOneByte() =>
        Assert.Equal("Status: 200 OK\r\nX-A: caf\u00e9\r\n\r\n",
            CgiResponseHeaderWriter.Format(200, null, new HeaderDictionary { ["X-A"] = "caf\u00e9" }));
}
