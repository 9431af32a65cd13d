using System.Diagnostics;

namespace FcgiActors.Cli.Tests.Commands;

/// <summary>
/// `fcgi bridge` is dispatched by Program.Main before System.CommandLine: only the built
/// program shows that, so these run it as a process.
/// </summary>
public sealed class BridgeCommandTests
{
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var dll = Environment.GetEnvironmentVariable("FCGI_TEST_CLI") is { Length: > 0 } fromEnv && File.Exists(fromEnv)
            ? fromEnv
            : typeof(Cli).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task BridgeHelp_PrintsCgiFcgiStyleUsageOnStdout_AndExits0()
    {
        var (code, stdout, stderr) = await RunAsync("bridge", "-h");

        Assert.Equal(0, code);
        Assert.StartsWith("Usage:\n    fcgi bridge -f <cmdPath>", stdout, StringComparison.Ordinal);
        Assert.Empty(stderr);
    }

    [Fact]
    public async Task BridgeWithCgiFcgiArgumentErrors_Exits1_WithCgiFcgisMessages_NotTheParsers()
    {
        var (code, stdout, stderr) = await RunAsync("bridge", "-bind");

        Assert.Equal(1, code); // cgi-fcgi's code, not ExitCodes.Usage (64)
        Assert.Empty(stdout);
        Assert.StartsWith("Missing -connect <connName>\nUsage:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BridgeToNothingListening_ExitsWithTheConnectErrno()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fcgi-bridge-none-{Guid.NewGuid():N}.sock");

        var (code, _, stderr) = await RunAsync("bridge", "-bind", "-connect", path);

        Assert.Equal(2, code); // ENOENT, as cgi-fcgi
        Assert.Equal($"Could not connect to {path}\n", stderr);
    }
}
