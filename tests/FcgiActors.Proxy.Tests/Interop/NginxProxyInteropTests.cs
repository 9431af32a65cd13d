using System.Text;
using FcgiActors.Proxy.Tests.Support;
using FcgiActors.Testing.Peers;
using static FcgiActors.Proxy.Tests.Support.ProxyHarness;

namespace FcgiActors.Proxy.Tests.Interop;

/// <summary>Real nginx → proxy → real backends (PHP-FPM, our own responder spawned by the proxy).</summary>
public class NginxProxyInteropTests
{
    private static HttpClient Http(NginxPeer nginx) => new() { BaseAddress = nginx.BaseAddress, Timeout = Bound };

    [Fact]
    public async Task Nginx_Proxy_PhpFpm_GetAndLargePostEchoed()
    {
        await using var php = await PhpFpmPeer.StartAsync(children: 2);
        var pool = new PoolSettings { Name = "php", Backends = [php.Address], Multiplexing = MultiplexingMode.Off, MaxConnectionsPerBackend = 4 };
        var (proxy, front) = await StartAsync(Pool(pool) with { StripParams = ["PHP_VALUE"] });
        await using var _ = proxy;
        await using var nginx = await NginxPeer.StartAsync(front.ToString()!, scriptFilename: php.ScriptPath);
        using var http = Http(nginx);

        var get = await http.GetStringAsync("/echo?a=1&b=2");
        var body = new byte[256 * 1024];
        new Random(4).NextBytes(body);
        var post = await http.PostAsync("/echo?p=1", new ByteArrayContent(body));
        var postBody = await post.Content.ReadAsByteArrayAsync();

        Assert.StartsWith("query=a=1&b=2 method=GET", get, StringComparison.Ordinal);
        Assert.True(post.IsSuccessStatusCode, nginx.ErrorLog);
        var header = Encoding.ASCII.GetBytes($"query=p=1 method=POST content_length={body.Length}\n");
        Assert.Equal(header, postBody[..header.Length]);
        Assert.Equal(body, postBody[header.Length..]);
    }

    [Fact]
    public async Task Nginx_Proxy_SpawnedOwnResponder_ManyConcurrentRequestsMultiplexedOverFewConnections()
    {
        var pool = new PoolSettings
        {
            Name = "echo",
            MaxConnectionsPerBackend = 2,
            Spawn = new SpawnSettings { Command = "dotnet", Args = [TestPaths.Cli, "echo", "--log-level", "Warning"], Count = 1, Listen = "fd:0" },
        };
        var (proxy, front) = await StartAsync(Pool(pool));
        await using var _ = proxy;
        await using var nginx = await NginxPeer.StartAsync(front.ToString()!, scriptFilename: "/srv/echo");
        using var http = Http(nginx);

        var answers = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => http.GetStringAsync($"/x?n={i}&sleep=300")));

        for (var i = 0; i < answers.Length; i++)
        {
            Assert.StartsWith($"query=n={i}&sleep=300 method=GET", answers[i], StringComparison.Ordinal);
        }

        var backend = Assert.Single(proxy.Backends);
        Assert.InRange(backend.OpenConnections, 1, 2);
        Assert.Single(answers.Select(a => a.Split(" pid=")[1].Split(' ')[0]).Distinct());
    }
}
