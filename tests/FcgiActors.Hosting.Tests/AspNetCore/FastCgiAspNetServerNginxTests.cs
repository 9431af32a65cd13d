using System.Net;
using System.Security.Cryptography;

namespace FcgiActors.Hosting.Tests.AspNetCore;

/// <summary>ASP.NET Core served over FastCGI behind a real nginx: what a user deploying it meets.</summary>
public class FastCgiAspNetServerNginxTests(AspNetOverNginxFixture fixture) : IClassFixture<AspNetOverNginxFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Get_MinimalApiRoute_ReturnsBodyWithContentLength()
    {
        using var response = await fixture.Client.GetAsync("/hello").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Hello, FastCGI!", await response.Content.ReadAsStringAsync());
        Assert.Equal("Hello, FastCGI!".Length, response.Content.Headers.ContentLength);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_RouteWithParameter_IsRoutedAndSerialized()
    {
        using var response = await fixture.Client.GetAsync("/items/42").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"id\":42,\"name\":\"item42\"}", await response.Content.ReadAsStringAsync());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Get_UnknownRoute_Returns404()
    {
        using var response = await fixture.Client.GetAsync("/items/not-a-number").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData(201)]
    [InlineData(418)]
    [InlineData(503)]
    public async Task Get_StatusCode_ReachesClient(int code)
    {
        using var response = await fixture.Client.GetAsync($"/status/{code}").WaitAsync(Timeout);

        Assert.Equal(code, (int)response.StatusCode);
    }

    [Fact]
    public async Task Get_HandlerThrows_Returns500()
    {
        using var response = await fixture.Client.GetAsync("/throw").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Fact]
    public async Task Get_RequestHeadersAndLine_ReachApplication()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/request?x=1&y=%20z");
        request.Headers.Add("X-Custom", "custom-value");
        request.Headers.UserAgent.ParseAdd("fcgi-test/1.0");

        using var response = await fixture.Client.SendAsync(request).WaitAsync(Timeout);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');

        Assert.Contains("method=GET", lines);
        Assert.Contains("scheme=http", lines);
        Assert.Contains($"host=127.0.0.1:{fixture.Nginx.Port}", lines);
        Assert.Contains("path=/request", lines);
        Assert.Contains("query=?x=1&y=%20z", lines);
        Assert.Contains("protocol=HTTP/1.1", lines);
        Assert.Contains("custom=custom-value", lines);
        Assert.Contains("remote=127.0.0.1", lines);
        Assert.Contains($"localport={fixture.Nginx.Port}", lines);
        Assert.Contains("agent=fcgi-test/1.0", lines);
    }

    [Fact]
    public async Task Get_ResponseHeaders_ReachClient()
    {
        using var response = await fixture.Client.GetAsync("/request").WaitAsync(Timeout);

        Assert.Equal("yes", response.Headers.GetValues("X-Reply").Single());
        Assert.Equal(["a=1; Path=/", "b=2; Path=/"], response.Headers.GetValues("Set-Cookie"));
    }

    [Fact]
    public async Task Post_TenMebibyteUpload_IsReceivedByteExact()
    {
        var body = new byte[10 * 1024 * 1024];
        new Random(1234).NextBytes(body);
        var expected = Convert.ToHexString(SHA256.HashData(body));

        using var content = new ByteArrayContent(body);
        using var response = await fixture.Client.PostAsync("/upload", content).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"length={body.Length} sha256={expected}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_StreamingResponse_FirstChunkArrivesBeforeHandlerFinishes()
    {
        using var response = await fixture.Client.GetAsync("/stream/chunks", HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(stream);

        // The handler is still blocked on the gate: this line can only come from a flushed, unbuffered response.
        Assert.Equal("first", await reader.ReadLineAsync().WaitAsync(Timeout));
        fixture.StreamGate.TrySetResult();

        Assert.Equal("chunk 2\nchunk 3\nchunk 4\nchunk 5\n", await reader.ReadToEndAsync().WaitAsync(Timeout));
        Assert.Null(response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Get_ClientDisconnects_RequestAbortedFires()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var response = await fixture.Client.GetAsync("/stream/abort", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        await fixture.AbortWaiting.Task.WaitAsync(Timeout);

        // Closing the response closes the client connection: nginx closes its FastCGI connection,
        // the responder aborts the request, and ASP.NET Core sees RequestAborted.
        response.Dispose();

        await fixture.AbortObserved.Task.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Get_ManyConcurrentRequests_AllSucceed()
    {
        var tasks = Enumerable.Range(0, 50).Select(async i =>
        {
            using var response = await fixture.Client.GetAsync($"/items/{i}");
            return await response.Content.ReadAsStringAsync();
        });

        var bodies = await Task.WhenAll(tasks).WaitAsync(Timeout);

        Assert.All(bodies.Select((b, i) => (b, i)), x => Assert.Contains($"\"id\":{x.i},", x.b, StringComparison.Ordinal));
    }
}
