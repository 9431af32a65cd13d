using System.Text;
using FcgiActors.Protocol;
using FcgiActors.Responder.Tests.Support;
using FcgiActors.Testing;

namespace FcgiActors.Responder.Tests;

/// <summary>
/// The echo's two body paths: a body of at most half the STDIN window is echoed from the
/// request's pipe, a larger one through its own buffer (and past 1 MiB a temporary file).
/// </summary>
public sealed class EchoHandlerTests
{
    private static readonly ResponderSettings s_smallWindow = ResponderSettings.Default with { StdinWindow = 128 * 1024 };

    [Theory]
    [InlineData(1)]
    [InlineData(65_536)]            // the post64k benchmark body (two STDIN records), half the window exactly: from the pipe
    [InlineData(65_537)]            // one byte over half the window: the buffered path
    [InlineData(200_000)]           // above the window: the pipe pauses while the echo reads
    public async Task Post_AnyBodySize_IsEchoedByteForByte(int length)
    {
        await using var server = await TestServer.StartAsync(EchoHandler.HandleAsync, s_smallWindow);
        await using var connection = await server.ConnectAsync();
        var body = Body(length);
        await connection.SendAsync(TestServer.Request(1, TestServer.Post(length, "n=1"), body));

        var records = await connection.ReadUntilEndAsync(1);

        var stdout = RecordCollector.StreamContent(records, RecordType.Stdout, 1);
        var head = Encoding.ASCII.GetBytes($"Content-Type: text/plain\r\n\r\nquery=n=1 method=POST count=");
        Assert.Equal(head, stdout[..head.Length]);
        Assert.Equal(body, stdout[^length..]);
        Assert.Equal(new EndRequestBody(0, ProtocolStatus.RequestComplete), Responses.SingleEnd(records, 1));
        Assert.All(records.Where(r => r.Type == RecordType.Stdout), r => Assert.True(r.Header.ContentLength <= FcgiConstants.MaxContentLength));
    }

    [Fact]
    public async Task Post_BodyInPipeSentInSmallRecords_IsEchoedOnceComplete()
    {
        await using var server = await TestServer.StartAsync(EchoHandler.HandleAsync, s_smallWindow);
        await using var connection = await server.ConnectAsync();
        var body = Body(10_000);
        await connection.SendAsync(
            Records.BeginRequest(1, Role.Responder, BeginRequestFlags.KeepConn),
            Records.Params(1, TestServer.Post(body.Length)));
        for (var offset = 0; offset < body.Length; offset += 1000)
        {
            await connection.SendAsync(Records.MakeRecord(RecordType.Stdin, 1, body.AsSpan(offset, 1000)));
        }

        await connection.SendAsync(Records.MakeRecord(RecordType.Stdin, 1, []));

        var stdout = RecordCollector.StreamContent(await connection.ReadUntilEndAsync(1), RecordType.Stdout, 1);
        Assert.Equal(body, stdout[^body.Length..]);
    }

    [Fact]
    public async Task Post_StdinEndsBeforeContentLength_AnswersStatus500WithAppStatus1()
    {
        await using var server = await TestServer.StartAsync(EchoHandler.HandleAsync, s_smallWindow);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Post(100), Body(60)));

        var records = await connection.ReadUntilEndAsync(1);

        Assert.StartsWith("Status: 500", Responses.Stdout(records, 1));
        Assert.Equal(1, Responses.SingleEnd(records, 1).AppStatus);
    }

    [Fact]
    public async Task Post_ManyRequestsOnOneConnection_EachGetsItsOwnBody()
    {
        await using var server = await TestServer.StartAsync(EchoHandler.HandleAsync, s_smallWindow);
        await using var connection = await server.ConnectAsync();
        for (var i = 1; i <= 20; i++)
        {
            var body = Body(3000 * i, seed: i);
            await connection.SendAsync(TestServer.Request(1, TestServer.Post(body.Length), body));

            var stdout = RecordCollector.StreamContent(await connection.ReadUntilEndAsync(1), RecordType.Stdout, 1);
            Assert.Equal(body, stdout[^body.Length..]);
        }
    }

    private static byte[] Body(int length, int seed = 7)
    {
        var body = new byte[length];
        new Random(seed).NextBytes(body);
        return body;
    }
}
