using System.Net;
using FcgiActors.Responder.Transport;

namespace FcgiActors.Responder.Tests.Transport;

public sealed class WebServerAddressFilterTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    [InlineData("127.0.0.1", "::ffff:127.0.0.1", true)]     // dual-mode socket peer
    [InlineData("::ffff:10.0.0.1", "10.0.0.1", true)]       // mapped form in the list
    [InlineData("2001:db8::1", "2001:db8::1", true)]
    [InlineData("2001:db8::1", "2001:db8::1:0:0:1", false)] // differs past the first 8 bytes
    [InlineData("2001:db8::1", "2001:db9::1", false)]
    [InlineData("::1", "127.0.0.1", false)]
    public void Allows_ComparesFullAddresses(string listed, string peer, bool allowed)
    {
        var filter = WebServerAddressFilter.FromEnvironment("10.9.9.9, " + listed)!;

        Assert.Equal(allowed, filter.Allows(new IPEndPoint(IPAddress.Parse(peer), 1234)));
    }

    [Fact]
    public void FromEnvironment_Unset_AllowsEveryone() => Assert.Null(WebServerAddressFilter.FromEnvironment(" "));

    [Fact]
    public void FromEnvironment_Garbage_Throws() => Assert.Throws<FormatException>(() => WebServerAddressFilter.FromEnvironment("127.0.0.1,web"));

    [Fact]
    public async Task Server_WithAnAddressListWithoutLoopback_ClosesTheConnectionBeforeReading()
    {
        var settings = ResponderSettings.Default with { WebServerAddresses = [IPAddress.Parse("10.1.2.3")] };
        await using var server = await Support.TestServer.StartAsync(_ => Task.CompletedTask, settings);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(Support.TestServer.Request(1, Support.TestServer.Get()));

        Assert.Empty(await connection.ReadToCloseAsync());
    }
}
