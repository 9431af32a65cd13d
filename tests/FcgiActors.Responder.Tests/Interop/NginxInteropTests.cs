using System.Net;
using System.Text;
using FcgiActors.Responder.Tests.Support;
using FcgiActors.Testing.Peers;

namespace FcgiActors.Responder.Tests.Interop;

/// <summary>Real nginx 1.22 in front of our responder, as users deploy it.</summary>
public sealed class NginxInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static HttpClient Client(NginxPeer nginx) => new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
    {
        BaseAddress = nginx.BaseAddress,
        Timeout = Timeout,
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Get_ThroughNginx_ReturnsTheEcho(bool keepAlive)
    {
        await using var server = await TestServer.StartAsync(EchoHandler.HandleAsync);
        await using var nginx = await NginxPeer.StartAsync("127.0.0.1:" + server.Port, keepAlive);
        using var client = Client(nginx);

        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync("/x?a=" + i);
            var body = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith($"query=a={i} method=GET count=", body);
        }
    }

    [Fact]
    public async Task KeepAlive_NginxReusesTheFastCgiConnection()
    {
        await using var server = await TestServer.StartAsync(EchoHandler.HandleAsync);
        await using var nginx = await NginxPeer.StartAsync("127.0.0.1:" + server.Port, keepAlive: true);
        using var client = Client(nginx);

        for (var i = 0; i < 20; i++)
        {
            using var response = await client.GetAsync("/k");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.InRange(server.Server.OpenConnections, 1, 2);
    }

    [Theory]
    [InlineData(1024 * 1024, false)]
    [InlineData(1024 * 1024, true)]
    [InlineData(10 * 1024 * 1024, true)]
    public async Task Post_ThroughNginx_EchoesTheBodyByteForByte(int size, bool keepAlive)
    {
        await using var server = await TestServer.StartAsync(EchoHandler.HandleAsync);
        await using var nginx = await NginxPeer.StartAsync("127.0.0.1:" + server.Port, keepAlive);
        using var client = Client(nginx);
        var body = new byte[size];
        new Random(size).NextBytes(body);

        using var response = await client.PostAsync("/post", new ByteArrayContent(body));
        var echoed = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, echoed[^size..]);
        Assert.Contains($"content_length={size}\n", Encoding.ASCII.GetString(echoed, 0, 200));
    }

    [Fact]
    public async Task ConcurrentRequests_200_AllServed()
    {
        await using var server = await TestServer.StartAsync(EchoHandler.HandleAsync);
        await using var nginx = await NginxPeer.StartAsync("127.0.0.1:" + server.Port, keepAlive: true);
        using var client = Client(nginx);

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            using var response = await client.PostAsync("/c?i=" + i, new StringContent("body" + i));
            return (response.StatusCode, await response.Content.ReadAsStringAsync(), i);
        }));

        Assert.All(responses, r =>
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.EndsWith("body" + r.i, r.Item2);
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ClientDisconnect_CancelsTheHandler_AndTheNextRequestWorks(bool keepAlive)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource();
        await using var server = await TestServer.StartAsync(async c =>
        {
            if (c.QueryString == "slow")
            {
                started.TrySetResult();
                try { await Task.Delay(TimeSpan.FromSeconds(20), c.Aborted); } catch (OperationCanceledException) { cancelled.TrySetResult(); throw; }
            }

            await EchoHandler.HandleAsync(c);
        });
        await using var nginx = await NginxPeer.StartAsync("127.0.0.1:" + server.Port, keepAlive);
        // The browser goes away only once the handler is running: a fixed client timeout could
        // fire before a loaded machine has even delivered the request.
        using (var impatient = new HttpClient { BaseAddress = nginx.BaseAddress })
        using (var goAway = new CancellationTokenSource())
        {
            var pending = impatient.GetAsync("/slow?slow", goAway.Token);
            await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await goAway.CancelAsync();
            await Assert.ThrowsAnyAsync<TaskCanceledException>(() => pending);
        }

        // nginx closes the FastCGI connection when its client goes (no ABORT_REQUEST).
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        using var client = Client(nginx);
        using var response = await client.GetAsync("/after");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
