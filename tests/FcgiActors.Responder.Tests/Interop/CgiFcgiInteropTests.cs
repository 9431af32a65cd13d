using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using FcgiActors.Responder.Tests.Support;
using FcgiActors.Testing.Peers;

namespace FcgiActors.Responder.Tests.Interop;

/// <summary>The real C cgi-fcgi (libfcgi-bin) as a client, and as the spawner of `fcgi echo` on fd 0; spawn-fcgi too.</summary>
public sealed partial class CgiFcgiInteropTests
{
    private const string CgiFcgi = "/usr/bin/cgi-fcgi";

    private static Dictionary<string, string> Cgi(string method, string query, int? contentLength = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["REQUEST_METHOD"] = method,
            ["QUERY_STRING"] = query,
            ["SERVER_PROTOCOL"] = "HTTP/1.1",
        };
        if (contentLength is { } length)
        {
            environment["CONTENT_LENGTH"] = length.ToString(CultureInfo.InvariantCulture);
        }

        return environment;
    }

    [Fact]
    public async Task CgiFcgiBind_OverTcp_SendsEnvironmentAndStdin_AndPrintsTheResponse()
    {
        await using var server = await TestServer.StartAsync(EchoHandler.HandleAsync);
        var body = Encoding.ASCII.GetBytes(new string('q', 100_000));

        var result = await ProcessRunner.RunAsync(CgiFcgi, ["-bind", "-connect", "127.0.0.1:" + server.Port], Cgi("POST", "x=1", body.Length), body);

        Assert.Equal(0, result.ExitCode);
        var text = Encoding.ASCII.GetString(result.Stdout);
        Assert.StartsWith("Content-Type: text/plain\r\n\r\nquery=x=1 method=POST count=", text);
        Assert.EndsWith("content_length=100000\n" + Encoding.ASCII.GetString(body), text);
    }

    [Fact]
    public async Task CgiFcgiBind_OverAUnixSocket_Works()
    {
        var path = Path.Combine(Path.GetTempPath(), "fcgi-t-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
        var settings = ResponderSettings.Default with { Listen = [ListenAddress.Unix(path)] };
        await using (var server = await TestServer.StartAsync(EchoHandler.HandleAsync, settings))
        {
            var result = await ProcessRunner.RunAsync(CgiFcgi, ["-bind", "-connect", path], Cgi("GET", "u=1"));

            Assert.Equal(0, result.ExitCode);
            Assert.Contains("query=u=1 method=GET", Encoding.ASCII.GetString(result.Stdout));
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task CgiFcgiStart_SpawnsFcgiEchoWithTheListenSocketOnFd0()
    {
        var directory = Directory.CreateTempSubdirectory("fcgi-start-").FullName;
        var wrapper = ProcessRunner.WriteEchoWrapper(directory);
        var port = FreePort.Next();
        var address = "127.0.0.1:" + port;
        int? pid = null;
        try
        {
            var start = await ProcessRunner.RunAsync(CgiFcgi, ["-start", "-connect", address, wrapper], new Dictionary<string, string>());
            Assert.Equal(0, start.ExitCode);
            await FreePort.WaitForListenerAsync(port, TimeSpan.FromSeconds(10));

            var first = await BindWhenReadyAsync(address);
            pid = Pid(first);
            var second = await ProcessRunner.RunAsync(CgiFcgi, ["-bind", "-connect", address], Cgi("POST", "n=2", 5), "hello"u8.ToArray());

            Assert.Contains("count=1 ", first);
            var text = Encoding.ASCII.GetString(second.Stdout);
            Assert.Contains("count=2 pid=" + pid, text);
            Assert.EndsWith("hello", text);
        }
        finally
        {
            if (pid is { } p)
            {
                PeerProcess.Signal(p, 15);
                await WaitForExitAsync(p);
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task SpawnFcgi_OnAUnixSocket_StartsFcgiEchoOnFd0_AndSigtermStopsIt()
    {
        var directory = Directory.CreateTempSubdirectory("fcgi-spawn-").FullName;
        var socket = Path.Combine(directory, "echo.sock");
        var pidFile = Path.Combine(directory, "echo.pid");
        var dotnet = Environment.ProcessPath!;
        int? pid = null;
        try
        {
            var spawn = await ProcessRunner.RunAsync("/usr/bin/spawn-fcgi",
                ["-s", socket, "-M", "0660", "-P", pidFile, "--", dotnet, ProcessRunner.CliPath(), "echo"], new Dictionary<string, string>());
            Assert.Equal(0, spawn.ExitCode);
            pid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), CultureInfo.InvariantCulture);

            var text = await BindWhenReadyAsync(socket);

            Assert.Contains("pid=" + pid, text);
            PeerProcess.Signal(pid.Value, 15);
            Assert.True(await WaitForExitAsync(pid.Value), "fcgi echo did not exit on SIGTERM");
            pid = null;
        }
        finally
        {
            if (pid is { } p)
            {
                PeerProcess.Signal(p, 9);
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The first request to a freshly spawned app: retried while the runtime starts.</summary>
    private static async Task<string> BindWhenReadyAsync(string address)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var result = await ProcessRunner.RunAsync(CgiFcgi, ["-bind", "-connect", address], Cgi("GET", "ready"));
            var text = Encoding.ASCII.GetString(result.Stdout);
            if (result.ExitCode == 0 && text.Contains("query=ready", StringComparison.Ordinal))
            {
                return text;
            }

            await Task.Delay(100, cts.Token);
        }
    }

    private static int Pid(string echo) => int.Parse(PidPattern().Match(echo).Groups[1].Value, CultureInfo.InvariantCulture);

    private static async Task<bool> WaitForExitAsync(int pid)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            while (File.Exists($"/proc/{pid}/stat") && !(await File.ReadAllTextAsync($"/proc/{pid}/stat", cts.Token)).Contains(") Z", StringComparison.Ordinal))
            {
                await Task.Delay(50, cts.Token);
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"pid=(\d+)")]
    private static partial Regex PidPattern();
}
