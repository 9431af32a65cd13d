using System.Buffers;
using FcgiActors.Testing.Peers;
using System.IO.Pipelines;
using FcgiActors.Client.Tests.Support;

namespace FcgiActors.Client.Tests.Interop;

/// <summary>The client library against a real PHP-FPM 8.2 (MPXS_CONNS=0, keeps connections).</summary>
public sealed class PhpFpmInteropTests
{
    private static FcgiClientRequest Request(PhpFpmPeer php, string query, byte[]? body = null)
    {
        // The whole body is in the pipe and the pipe completed before the request is sent: the
        // pump then queues the body and its empty STDIN record in one go. A body completed later
        // races PHP-FPM, which answers once it has CONTENT_LENGTH bytes; an answer that comes
        // before the empty record was queued rightly costs the kept connection (OnEnded).
        var stdin = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        if (body is not null)
        {
            stdin.Writer.Write(body);
        }

        stdin.Writer.Complete();

        return new FcgiClientRequest(
        [
            new("SCRIPT_FILENAME", php.ScriptPath), new("REQUEST_METHOD", body is null ? "GET" : "POST"),
            new("QUERY_STRING", query), new("CONTENT_LENGTH", (body?.Length ?? 0).ToString()),
            new("SERVER_PROTOCOL", "HTTP/1.1"), new("GATEWAY_INTERFACE", "CGI/1.1"),
        ], stdin.Reader);
    }

    [Fact]
    public async Task Post_IsEchoed_AndKeptConnectionsAreReused()
    {
        await using var php = await PhpFpmPeer.StartAsync();
        await using var pool = new BackendPool(BackendAddress.Parse(php.Address), ClientSettings.Default with { MaxConnectionsPerBackend = 1 });
        var body = new byte[200_000];
        Random.Shared.NextBytes(body);

        for (var i = 0; i < 3; i++)
        {
            await using var response = await pool.SendAsync(Request(php, $"i={i}", body));
            var stdout = await ResponseReader.ReadBytesAsync(response.Stdout);
            var end = await response.Completion.WaitAsync(ResponseReader.Timeout);
            var text = System.Text.Encoding.Latin1.GetString(stdout);

            Assert.Contains("Content-type: text/plain", text, StringComparison.OrdinalIgnoreCase);
            Assert.Contains($"query=i={i} method=POST content_length={body.Length}\n", text);
            Assert.Equal(body, stdout[^body.Length..]);
            Assert.Equal(0, end.AppStatus);
        }

        Assert.Equal(1, pool.OpenConnections);
    }

    [Fact]
    public async Task ConcurrentRequests_AreNeverPipelined_AndAllComplete()
    {
        await using var php = await PhpFpmPeer.StartAsync(children: 2);
        await using var pool = new BackendPool(BackendAddress.Parse(php.Address), ClientSettings.Default with { MaxConnectionsPerBackend = 2 });

        var outputs = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            await using var response = await pool.SendAsync(Request(php, $"n={i}"));
            return (await ResponseReader.ReadAllAsync(response)).Stdout;
        })).WaitAsync(TimeSpan.FromSeconds(60));

        for (var i = 0; i < 8; i++)
        {
            Assert.Contains($"query=n={i} method=GET", outputs[i]);
        }
    }

    [Fact]
    public async Task LargeParam_OverOneRecord_ReachesPhp()
    {
        await using var php = await PhpFpmPeer.StartAsync(children: 1);
        await using var pool = new BackendPool(BackendAddress.Parse(php.Address), ClientSettings.Default);
        var big = new string('z', 50_000);
        var request = Request(php, "env=HTTP_X_BIG");
        request = new FcgiClientRequest
        {
            Params = [.. request.Params, new(System.Text.Encoding.ASCII.GetBytes("HTTP_X_BIG"), System.Text.Encoding.ASCII.GetBytes(big))],
            Stdin = request.Stdin,
        };

        await using var response = await pool.SendAsync(request);
        var (stdout, _, _) = await ResponseReader.ReadAllAsync(response);

        Assert.Contains($"HTTP_X_BIG={big}\n", stdout);
    }
}
