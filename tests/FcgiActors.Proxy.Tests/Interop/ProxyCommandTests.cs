using System.Diagnostics;
using System.Globalization;
using FcgiActors.Proxy.Tests.Support;
using FcgiActors.Testing.Peers;

namespace FcgiActors.Proxy.Tests.Interop;

/// <summary>`fcgi proxy` as users run it: the built-in echo pool, the classic cgi-fcgi, SIGTERM.</summary>
public class ProxyCommandTests
{
    [Fact]
    public async Task FcgiProxy_NoConfig_ServesCgiFcgiThroughBuiltInEchoPool_AndStopsChildrenOnSigterm()
    {
        var port = FreePort.Next();
        await using var proxy = PeerProcess.Start("dotnet", [TestPaths.Cli, "proxy", "--listen", $"127.0.0.1:{port}"]);
        await FreePort.WaitForListenerAsync(port, TimeSpan.FromSeconds(30), () => !proxy.HasExited);
        var output = await RunCgiFcgiAsync(port, "hello body", "a=1");
        // The supervisor starts its processes on its own tasks: wait until both exist.
        await ProxyHarness.WaitUntilAsync(() => ChildPids(proxy.Pid).Count == 2, "two echo processes under the proxy");
        var children = ChildPids(proxy.Pid);

        Assert.Equal(2, children.Count);
        Assert.Contains("query=a=1 method=POST", output, StringComparison.Ordinal);
        Assert.EndsWith("content_length=10\nhello body", output, StringComparison.Ordinal);
        PeerProcess.Signal(proxy.Pid, 15);
        Assert.Equal(0, await proxy.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.All(children, pid => Assert.False(PeerProcess.IsAlive(pid), $"child {pid} still running\n{proxy.Describe()}"));
    }

    private static async Task<string> RunCgiFcgiAsync(int port, string body, string query)
    {
        var info = new ProcessStartInfo("cgi-fcgi", ["-bind", "-connect", $"127.0.0.1:{port}"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.Environment["REQUEST_METHOD"] = "POST";
        info.Environment["QUERY_STRING"] = query;
        info.Environment["CONTENT_LENGTH"] = body.Length.ToString(CultureInfo.InvariantCulture);
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(body);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(cts.Token);
        return (await output).Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", 2)[1];
    }

    private static List<int> ChildPids(int parent) =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name!.All(char.IsAsciiDigit))
            .Select(name => int.Parse(name!, CultureInfo.InvariantCulture))
            .Where(pid => ParentOf(pid) == parent)
            .ToList();

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
