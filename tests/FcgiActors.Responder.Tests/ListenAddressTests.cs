using System.Net;

namespace FcgiActors.Responder.Tests;

public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:9000", ListenAddressKind.Tcp, "127.0.0.1", 9000)]
    [InlineData("[::1]:9001", ListenAddressKind.Tcp, "::1", 9001)]
    [InlineData(":9002", ListenAddressKind.Tcp, "::", 9002)]
    [InlineData("localhost:9003", ListenAddressKind.Tcp, "127.0.0.1", 9003)]
    public void Parse_TcpForms_GiveAddressAndPort(string text, ListenAddressKind kind, string address, int port)
    {
        var parsed = ListenAddress.Parse(text);

        Assert.Equal(kind, parsed.Kind);
        Assert.Equal(IPAddress.Parse(address), parsed.Address);
        Assert.Equal(port, parsed.Port);
    }

    [Theory]
    [InlineData("unix:/run/app.sock", "/run/app.sock")]
    [InlineData("/run/app.sock", "/run/app.sock")]
    public void Parse_UnixForms_GiveThePath(string text, string path)
    {
        var parsed = ListenAddress.Parse(text);

        Assert.Equal(ListenAddressKind.Unix, parsed.Kind);
        Assert.Equal(path, parsed.Path);
    }

    [Fact]
    public void Parse_Fd0_IsTheInheritedSocket()
    {
        Assert.Equal(ListenAddressKind.FileDescriptor, ListenAddress.Parse("fd:0").Kind);
        Assert.Equal(0, ListenAddress.Parse("fd:0").FileDescriptor);
    }

    [Theory]
    [InlineData("")]
    [InlineData("9000")]
    [InlineData("host.example:9000")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("::1:9000")]
    [InlineData("unix:relative.sock")]
    [InlineData("fd:x")]
    public void Parse_Malformed_ThrowsFormatException(string text) =>
        Assert.Throws<FormatException>(() => ListenAddress.Parse(text));

    [Theory]
    [InlineData("127.0.0.1:9000")]
    [InlineData("[::1]:9000")]
    [InlineData(":9000")]
    [InlineData("unix:/a/b.sock")]
    [InlineData("fd:0")]
    public void ToString_ParsesBackToTheSameAddress(string text) =>
        Assert.Equal(ListenAddress.Parse(text), ListenAddress.Parse(ListenAddress.Parse(text).ToString()));
}
