using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using FcgiActors.Testing.Peers;

namespace FcgiActors.Cli.Tests.Commands;

/// <summary>`fcgi proxy --config FILE` reloads FILE on SIGHUP, as nginx and PHP-FPM do.</summary>
public partial class ProxyReloadCommandTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private const string EchoSpawn = """spawn { command = "@self", args = ["echo", "--listen", "fd:0", "--log-level", "Warning"], count = 1 }""";

    private static string Config(int port, string routes, string extraPools) => $$"""
        fcgi.logging.level = Information
        fcgi.proxy {
          listen = ["127.0.0.1:{{port}}"]
          default-pool = main
          routes = [{{routes}}]
          pools {
            main { {{EchoSpawn}} }
            {{extraPools}}
          }
        }
        """;

    [Fact]
    public async Task Sighup_AfterEditingConfig_NewRouteServesCgiFcgi_InvalidEditKeepsRunningConfiguration()
    {
        using var directory = new TempDirectory();
        var port = FreePort.Next();
        var file = directory.Write("proxy.conf", Config(port, "", ""));
        await using var proxy = PeerProcess.Start("dotnet", [TestPaths.Cli, "proxy", "--config", file]);
        await FreePort.WaitForListenerAsync(port, Bound, () => !proxy.HasExited);
        var main = PidOf(await RunCgiFcgiAsync(port, "/b/index.php"));

        File.WriteAllText(file, Config(port, """{ param = "SCRIPT_FILENAME", prefix = "/b/", pool = "b" }""", $"b {{ {EchoSpawn} }}"));
        PeerProcess.Signal(proxy.Pid, 1);
        await WaitForOutputAsync(proxy, "configuration reloaded from");
        var routed = PidOf(await RunCgiFcgiAsync(port, "/b/index.php"));
        var unrouted = PidOf(await RunCgiFcgiAsync(port, "/a/index.php"));

        File.WriteAllText(file, Config(port, """{ param = "SCRIPT_FILENAME", prefix = "/c/", pool = "missing" }""", $"b {{ {EchoSpawn} }}"));
        PeerProcess.Signal(proxy.Pid, 1);
        await WaitForOutputAsync(proxy, "failed, keeping the running configuration");
        var stillRouted = PidOf(await RunCgiFcgiAsync(port, "/b/index.php"));

        Assert.NotEqual(main, routed);
        Assert.Equal(main, unrouted);
        Assert.Equal(routed, stillRouted);
        Assert.Contains("fcgi.proxy.routes[0].pool", Output(proxy), StringComparison.Ordinal);
        Assert.Contains("kept [main], started [b]", Output(proxy), StringComparison.Ordinal);
        PeerProcess.Signal(proxy.Pid, 15);
        Assert.Equal(0, await proxy.WaitForExitAsync(Bound));
    }

    private static string Output(PeerProcess process) => process.StandardOutput + process.StandardError;

    private static async Task WaitForOutputAsync(PeerProcess process, string text)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!Output(process).Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline && !process.HasExited, $"no \"{text}\" from the proxy\n{process.Describe()}");
            await Task.Delay(20);
        }
    }

    private static int PidOf(string echoOutput) =>
        int.Parse(PidPattern().Match(echoOutput) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"no pid in \"{echoOutput}\""), CultureInfo.InvariantCulture);

    private static async Task<string> RunCgiFcgiAsync(int port, string scriptFilename)
    {
        var info = new ProcessStartInfo(TestPaths.CgiFcgi, ["-bind", "-connect", $"127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.Environment["REQUEST_METHOD"] = "GET";
        info.Environment["QUERY_STRING"] = "";
        info.Environment["SCRIPT_FILENAME"] = scriptFilename;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Bound);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"cgi-fcgi to 127.0.0.1:{port} did not finish within {Bound.TotalSeconds} s");
        }

        return await output;
    }

    [GeneratedRegex(@"pid=(\d+) ")]
    private static partial Regex PidPattern();
}
