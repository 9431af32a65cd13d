using System.Diagnostics;

namespace FcgiActors.Cli.Tests;

public sealed class CliArgumentTests
{
    [Theory]
    [InlineData("--bogus")]
    [InlineData("frobnicate")]
    [InlineData("config", "--config")]
    [InlineData("config", "--nope")]
    [InlineData("config", "a", "b")]
    public async Task BadArguments_Exit64WithOneLine(params string[] args)
    {
        var (code, output, error) = await CliRunner.RunAsync(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", output);
        var lines = error.TrimEnd().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("fcgi: ", lines[0], StringComparison.Ordinal);
        Assert.Contains("--help", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoArguments_Exit64()
    {
        var (code, _, error) = await CliRunner.RunAsync();
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("fcgi --help", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_PrintsVersionAndExits0()
    {
        var (code, output, _) = await CliRunner.RunAsync("--version");
        Assert.Equal(0, code);
        Assert.StartsWith("0.1.0", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("config", "--help")]
    [InlineData("proxy", "--help")]
    [InlineData("echo", "--help")]
    public async Task Help_PrintsUsageAndExits0(params string[] args)
    {
        var (code, output, _) = await CliRunner.RunAsync(args);
        Assert.Equal(0, code);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RootHelp_ListsCommandsAndExitCodes()
    {
        var (_, output, _) = await CliRunner.RunAsync("--help");
        foreach (var word in new[] { "proxy", "echo", "config", "bridge", "78 bad configuration", "64 bad arguments" })
        {
            Assert.Contains(word, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task BuiltCli_RunAsAProcess_PrintsVersion()
    {
        var dll = Environment.GetEnvironmentVariable("FCGI_TEST_CLI") is { Length: > 0 } fromEnv && File.Exists(fromEnv)
            ? fromEnv
            : typeof(Cli).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--version");
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        Assert.Equal(0, process.ExitCode);
        Assert.StartsWith("0.1.0", await stdout, StringComparison.Ordinal);
    }
}
