using System.Text;
using FcgiActors.Responder.Tests.Support;

namespace FcgiActors.Responder.Tests;

/// <summary>Many requests back to back on several kept connections: races between the handler's end and the connection writer.</summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task SequentialRequests_OnEightKeptConnections_EveryOneEndsWithItsEcho()
    {
        // Regression: the writer cleared a request's "scheduled" flag with a plain store and then
        // read "ending"; the end of the request set "ending" and found the flag still set, so
        // neither side sent END_REQUEST (about once in 10,000 requests, under load).
        const int Connections = 8;
        const int RequestsEach = 400;
        await using var server = await TestServer.StartAsync(EchoHandler.HandleAsync);
        var clients = Enumerable.Range(0, Connections).Select(c => Task.Run(async () =>
        {
            await using var connection = await server.ConnectAsync();
            for (var i = 0; i < RequestsEach; i++)
            {
                var body = Encoding.ASCII.GetBytes(new string((char)('a' + (i % 26)), 4096 + c));
                await connection.SendAsync(TestServer.Request(1, TestServer.Post(body.Length, "c=" + c + "&i=" + i), body));
                var records = await connection.ReadUntilEndAsync(1);
                var stdout = Responses.Stdout(records, 1);
                Assert.StartsWith("Content-Type: text/plain\r\n\r\nquery=c=" + c + "&i=" + i + " method=POST count=", stdout, StringComparison.Ordinal);
                Assert.EndsWith(" content_length=" + body.Length + "\n" + Encoding.ASCII.GetString(body), stdout, StringComparison.Ordinal);
            }
        })).ToArray();

        await Task.WhenAll(clients);
    }
}
