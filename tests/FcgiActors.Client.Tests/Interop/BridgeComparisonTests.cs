using System.Text;
using FcgiActors.Client.Tests.Support;
using FcgiActors.Testing.Peers;

namespace FcgiActors.Client.Tests.Interop;

/// <summary>
/// `fcgi bridge` against the real cgi-fcgi: both run as processes with the same arguments,
/// environment and stdin, against the same application; stdout, stderr and the exit code
/// must be identical byte for byte.
/// </summary>
public sealed class BridgeComparisonTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static async Task<(ProcessRun.Result Ours, ProcessRun.Result Theirs)> RunBothAsync(
        string[] args, Dictionary<string, string> cgiEnvironment, byte[]? stdin)
    {
        var ourEnvironment = new Dictionary<string, string>(cgiEnvironment);
        foreach (var (key, value) in ProcessRun.DotnetEnvironment())
        {
            ourEnvironment.TryAdd(key, value);
        }

        // cgi-fcgi gets the same variables dotnet needs, so the applications see the same environment.
        foreach (var (key, value) in ProcessRun.DotnetEnvironment())
        {
            cgiEnvironment.TryAdd(key, value);
        }

        var theirs = await ProcessRun.RunAsync(TestPaths.CgiFcgi, args, cgiEnvironment, stdin, Timeout);
        var ours = await ProcessRun.RunAsync("dotnet", [TestPaths.Cli, "bridge", .. args], ourEnvironment, stdin, Timeout);
        return (ours, theirs);
    }

    private static void AssertSame(ProcessRun.Result ours, ProcessRun.Result theirs)
    {
        Assert.Equal(Encoding.Latin1.GetString(theirs.Stderr), Encoding.Latin1.GetString(ours.Stderr));
        Assert.Equal(theirs.Stdout.Length, ours.Stdout.Length);
        Assert.True(theirs.Stdout.AsSpan().SequenceEqual(ours.Stdout), "stdout differs");
        Assert.Equal(theirs.ExitCode, ours.ExitCode);
    }

    [Theory]
    [InlineData("fixed=1", 0)]
    [InlineData("fixed=1", 1)]
    [InlineData("fixed=1", 65_536)]
    [InlineData("fixed=1", 1_000_003)]
    [InlineData("fixed=1&status=3&stderr=100", 10)]
    [InlineData("fixed=1&size=2000000&stderr=70000", 0)]
    public async Task Request_ToTheCEcho_MatchesCgiFcgiByteForByte(string query, int bodyLength)
    {
        await using var echo = await CEchoPeer.StartAsync();
        var body = new byte[bodyLength];
        Random.Shared.NextBytes(body);
        var env = new Dictionary<string, string>
        {
            ["REQUEST_METHOD"] = bodyLength > 0 ? "POST" : "GET",
            ["QUERY_STRING"] = query,
            ["CONTENT_LENGTH"] = bodyLength.ToString(),
            ["SERVER_PROTOCOL"] = "HTTP/1.1",
        };

        var (ours, theirs) = await RunBothAsync(["-bind", "-connect", echo.Address.ToString()], env, body);

        AssertSame(ours, theirs);
        Assert.Contains($"content_length={bodyLength}\n", Encoding.Latin1.GetString(ours.Stdout));
    }

    [Fact]
    public async Task EnvironmentOver64KiB_OverAUnixSocket_MatchesCgiFcgi()
    {
        await using var echo = await CEchoPeer.StartAsync(unix: true);
        var big = new string('q', 100_000);
        var env = new Dictionary<string, string>
        {
            ["REQUEST_METHOD"] = "GET",
            ["QUERY_STRING"] = "fixed=1&env=HTTP_X_BIG",
            ["HTTP_X_BIG"] = big,
        };

        var (ours, theirs) = await RunBothAsync(["-bind", "-connect", echo.Address.ToString()], env, null);

        AssertSame(ours, theirs);
        Assert.EndsWith($"HTTP_X_BIG={big}\n", Encoding.Latin1.GetString(ours.Stdout));
    }

    [Fact]
    public async Task NothingListening_MatchesCgiFcgiMessageAndExitCode()
    {
        var address = $"127.0.0.1:{FreePort.Next()}";

        var (ours, theirs) = await RunBothAsync(["-bind", "-connect", address], new() { ["REQUEST_METHOD"] = "GET" }, null);

        AssertSame(ours, theirs);
        Assert.Equal($"Could not connect to {address}\n", Encoding.ASCII.GetString(ours.Stderr));
        Assert.Equal(111, ours.ExitCode);
    }

    [Fact]
    public async Task MissingUnixSocket_MatchesCgiFcgiMessageAndExitCode()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fcgi-none-{Guid.NewGuid():N}.sock");

        var (ours, theirs) = await RunBothAsync(["-bind", "-connect", path], new() { ["REQUEST_METHOD"] = "GET" }, null);

        AssertSame(ours, theirs);
        Assert.Equal(2, ours.ExitCode);
    }

    [Fact]
    public async Task PhpFpm_Post_MatchesCgiFcgiByteForByte()
    {
        await using var php = await PhpFpmPeer.StartAsync(children: 1);
        var body = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("php body line\n", 20_000)));
        var env = new Dictionary<string, string>
        {
            ["SCRIPT_FILENAME"] = php.ScriptPath,
            ["REQUEST_METHOD"] = "POST",
            ["QUERY_STRING"] = "env=HTTP_X_SMALL",
            ["CONTENT_LENGTH"] = body.Length.ToString(),
            ["SERVER_PROTOCOL"] = "HTTP/1.1",
            ["HTTP_X_SMALL"] = "small",
        };

        var (ours, theirs) = await RunBothAsync(["-bind", "-connect", php.Address.ToString()], env, body);

        AssertSame(ours, theirs);
        Assert.Contains("php body line\n", Encoding.Latin1.GetString(ours.Stdout));
        Assert.EndsWith("HTTP_X_SMALL=small\n", Encoding.Latin1.GetString(ours.Stdout));
    }

    /// <summary>
    /// PHP-FPM parses name-value pairs record by record; cgi-fcgi cuts PARAMS every 8 KiB
    /// whatever the pairs, so a bigger environment breaks it (exit 253). The bridge keeps each
    /// pair whole: 100 KiB of environment in 9 KiB variables reaches PHP.
    /// </summary>
    [Fact]
    public async Task PhpFpm_EnvironmentOver64KiB_WorksWhereCgiFcgiFails()
    {
        await using var php = await PhpFpmPeer.StartAsync(children: 1);
        var env = new Dictionary<string, string>
        {
            ["SCRIPT_FILENAME"] = php.ScriptPath,
            ["REQUEST_METHOD"] = "GET",
            ["QUERY_STRING"] = "env=HTTP_X_10",
            ["SERVER_PROTOCOL"] = "HTTP/1.1",
        };
        for (var i = 0; i < 11; i++)
        {
            env[$"HTTP_X_{i}"] = new string((char)('a' + i), 9_000);
        }

        var (ours, theirs) = await RunBothAsync(["-bind", "-connect", php.Address.ToString()], env, null);

        Assert.Equal(0, ours.ExitCode);
        Assert.Empty(ours.Stderr);
        Assert.EndsWith($"HTTP_X_10={new string('k', 9_000)}\n", Encoding.Latin1.GetString(ours.Stdout));
        Assert.NotEqual(0, theirs.ExitCode);
    }

    [Fact]
    public async Task ConnectWithAppPath_StartsTheAppWithTheSocketOnFd0_ThenConnects()
    {
        var directory = Directory.CreateTempSubdirectory("fcgi-bridge-start-").FullName;
        var socket = Path.Combine(directory, "app.sock");
        var pid = 0;
        try
        {
            var env = ProcessRun.DotnetEnvironment();
            env["REQUEST_METHOD"] = "GET";
            env["QUERY_STRING"] = "x=1";

            var first = await ProcessRun.RunAsync("dotnet", [TestPaths.Cli, "bridge", "-connect", socket, TestPaths.CEcho], env, null, Timeout);
            var text = Encoding.ASCII.GetString(first.Stdout);
            Assert.True(first.ExitCode == 0, Encoding.UTF8.GetString(first.Stderr));
            pid = int.Parse(System.Text.RegularExpressions.Regex.Match(text, "pid=(\\d+)").Groups[1].Value);
            Assert.Contains("query=x=1 method=GET count=1", text);
            Assert.StartsWith("socket:", new FileInfo($"/proc/{pid}/fd/0").LinkTarget);

            // The application was left running: the next call connects to it without starting another.
            var second = await ProcessRun.RunAsync("dotnet", [TestPaths.Cli, "bridge", "-connect", socket, TestPaths.CEcho], env, null, Timeout);
            Assert.Contains($"count=2 pid={pid} ", Encoding.ASCII.GetString(second.Stdout));
        }
        finally
        {
            foreach (var child in ListenerProcesses.Find(socket).Append(pid).Where(p => p > 0).Distinct())
            {
                PeerProcess.Signal(child, 9);
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task StartOnly_SpawnsNServersAndExitsZero_LikeCgiFcgi()
    {
        var directory = Directory.CreateTempSubdirectory("fcgi-bridge-start-").FullName;
        var socket = Path.Combine(directory, "app.sock");
        var pids = new HashSet<int>();
        try
        {
            var env = ProcessRun.DotnetEnvironment();
            var start = await ProcessRun.RunAsync("dotnet", [TestPaths.Cli, "bridge", "-start", "-connect", socket, TestPaths.CEcho, "2"], env, null, Timeout);
            Assert.Equal(0, start.ExitCode);
            Assert.Empty(start.Stdout);

            env["REQUEST_METHOD"] = "GET";
            for (var i = 0; i < 6 && pids.Count < 2; i++)
            {
                var run = await ProcessRun.RunAsync("dotnet", [TestPaths.Cli, "bridge", "-bind", "-connect", socket], env, null, Timeout);
                Assert.Equal(0, run.ExitCode);
                pids.Add(int.Parse(System.Text.RegularExpressions.Regex.Match(Encoding.ASCII.GetString(run.Stdout), "pid=(\\d+)").Groups[1].Value));
            }

            Assert.NotEmpty(pids);
            Assert.Equal(2, ListenerProcesses.Find(socket).Count);
        }
        finally
        {
            pids.UnionWith(ListenerProcesses.Find(socket));
            foreach (var pid in pids)
            {
                PeerProcess.Signal(pid, 9);
            }

            Directory.Delete(directory, recursive: true);
        }
    }
}
