using System.Net;
using System.Text.RegularExpressions;
using FcgiActors.Testing.Peers;

namespace FcgiActors.Hosting.Tests.Samples;

/// <summary>
/// Each sample under samples/, as built by test.sh (Release), run as its own process on a free
/// port, answering one request from a real peer, then stopped by PID with SIGTERM and expected
/// to shut down cleanly.
/// </summary>
public sealed partial class SampleSmokeTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task WorkerResponder_AnswersCgiFcgi_AndStopsOnSigterm()
    {
        var port = FreePort.Next();
        await using var sample = await StartSampleAsync("WorkerResponder", port);

        var stdout = await CgiFcgi.GetAsync(new IPEndPoint(IPAddress.Loopback, port), "smoke", Bound);

        Assert.Contains("Status: 200 OK", stdout, StringComparison.Ordinal);
        Assert.Contains("Hello, smoke! You are visitor 1.", stdout, StringComparison.Ordinal);
        await StopCleanlyAsync(sample);
    }

    [Fact]
    public async Task MinimalApiFastCgi_AnswersThroughNginx_AndStopsOnSigterm()
    {
        var port = FreePort.Next();
        await using var sample = await StartSampleAsync("MinimalApiFastCgi", port);
        await using var nginx = await NginxPeer.StartAsync($"127.0.0.1:{port}");
        using var client = new HttpClient { BaseAddress = nginx.BaseAddress, Timeout = Bound };

        var hello = await client.GetStringAsync(new Uri("hello/smoke", UriKind.Relative));
        var todo = await client.GetStringAsync(new Uri("todos/2", UriKind.Relative));

        Assert.Equal("Hello, smoke!", hello);
        Assert.Equal("""{"Id":2,"Title":"Task 2","Done":true}""", todo);
        await StopCleanlyAsync(sample);
    }

    /// <summary>Starts samples/NAME's Release build listening on 127.0.0.1:<paramref name="port"/> (a command-line override of fcgi.responder.listen).</summary>
    private static async Task<PeerProcess> StartSampleAsync(string name, int port)
    {
        var directory = Path.Combine(TestPaths.RepoRoot, "samples", name, "bin", "Release", "net10.0");
        var dll = Path.Combine(directory, name + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: test.sh builds the samples (dotnet build samples/{name} -c Release).");

        var process = PeerProcess.Start("dotnet", [dll, $"--fcgi:responder:listen:0=127.0.0.1:{port}"],
            new Dictionary<string, string?> { ["DOTNET_ENVIRONMENT"] = "Production", ["ASPNETCORE_ENVIRONMENT"] = "Production" },
            workingDirectory: directory);
        try
        {
            await FreePort.WaitForListenerAsync(port, Bound, () => !process.HasExited);
        }
        catch (Exception ex)
        {
            await process.DisposeAsync();
            throw new InvalidOperationException($"samples/{name} did not listen on {port}.\n{process.Describe()}", ex);
        }

        return process;
    }

    private static async Task StopCleanlyAsync(PeerProcess sample)
    {
        await sample.StopAsync(Bound);
        Assert.True(sample.ExitCode == 0, $"exit code {sample.ExitCode} after SIGTERM\n{sample.Describe()}");
        Assert.DoesNotMatch(UnhandledError(), sample.StandardOutput + sample.StandardError);
    }

    [GeneratedRegex(@"\b(ERR|FTL|fail|crit)\b|Unhandled exception", RegexOptions.CultureInvariant)]
    private static partial Regex UnhandledError();
}
