using System.Net;
using System.Net.Sockets;

namespace FcgiActors.Client.Tests;

public sealed class BackendAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:9000", "127.0.0.1", 9000, null)]
    [InlineData(":9000", "127.0.0.1", 9000, null)]
    [InlineData("[::1]:9001", "::1", 9001, null)]
    [InlineData("localhost:80", "localhost", 80, null)]
    [InlineData("/run/app.sock", null, 0, "/run/app.sock")]
    [InlineData("unix:/run/app.sock", null, 0, "/run/app.sock")]
    [InlineData("relative.sock", null, 0, "relative.sock")]
    public void Parse_AcceptsCgiFcgiConnNames(string text, string? host, int port, string? path)
    {
        var address = BackendAddress.Parse(text);
        Assert.Equal(host, address.Host);
        Assert.Equal(port, address.Port);
        Assert.Equal(path, address.UnixPath);
    }

    [Theory]
    [InlineData("")]
    [InlineData("host:")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("::1:80")]
    [InlineData("unix:")]
    public void Parse_Invalid_ThrowsFormatException(string text) =>
        Assert.Throws<FormatException>(() => BackendAddress.Parse(text));

    [Fact]
    public void ToEndPoint_GivesTheSocketEndPoint()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9000), BackendAddress.Parse(":9000").ToEndPoint());
        Assert.IsType<UnixDomainSocketEndPoint>(BackendAddress.Parse("/tmp/a.sock").ToEndPoint());
        Assert.Equal("[::1]:9001", BackendAddress.Parse("[::1]:9001").ToString());
    }
}
