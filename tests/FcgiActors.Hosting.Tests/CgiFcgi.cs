using System.Net;
using FcgiActors.Testing.Peers;

namespace FcgiActors.Hosting.Tests;

/// <summary>The C <c>cgi-fcgi</c> (libfcgi-bin) as a real FastCGI client: one request, CGI environment in, CGI response out.</summary>
internal static class CgiFcgi
{
    public const string Path = "/usr/bin/cgi-fcgi";

    /// <summary>Sends one GET for <paramref name="query"/> to <paramref name="endpoint"/>; returns stdout (line ends normalized to \n by the capture).</summary>
    public static async Task<string> GetAsync(EndPoint endpoint, string query = "", TimeSpan? timeout = null)
    {
        var ip = (IPEndPoint)endpoint;
        await using var process = PeerProcess.Start(Path, ["-bind", "-connect", $"127.0.0.1:{ip.Port}"],
            new Dictionary<string, string?>
            {
                ["REQUEST_METHOD"] = "GET",
                ["QUERY_STRING"] = query,
                ["SERVER_PROTOCOL"] = "HTTP/1.1",
                ["REQUEST_URI"] = "/" + (query.Length > 0 ? "?" + query : string.Empty),
            });
        var code = await process.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(20));
        Assert.True(code == 0, $"cgi-fcgi exited with {code}\n{process.Describe()}");
        return process.StandardOutput;
    }
}
