using System.Diagnostics;

namespace FcgiActors.Client.Tests.Support;

/// <summary>
/// Runs a program to completion with a given environment (only that) and stdin bytes, and
/// captures stdout and stderr as bytes: for byte-for-byte comparisons of bridges.
/// </summary>
internal static class ProcessRun
{
    public sealed record Result(byte[] Stdout, byte[] Stderr, int ExitCode);

    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string> environment, byte[]? stdin, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        using var cts = new CancellationTokenSource(timeout);
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var reading = Task.WhenAll(
            process.StandardOutput.BaseStream.CopyToAsync(stdout, cts.Token),
            process.StandardError.BaseStream.CopyToAsync(stderr, cts.Token));
        try
        {
            if (stdin is not null)
            {
                try
                {
                    await process.StandardInput.BaseStream.WriteAsync(stdin, cts.Token);
                }
                catch (IOException)
                {
                    // The program read less than we offered: that is for the test to judge.
                }
            }

            try
            {
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // Already gone: the program exited without reading everything.
            }
            await reading;
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', info.ArgumentList)} did not finish within {timeout}.");
        }

        return new Result(stdout.ToArray(), stderr.ToArray(), process.ExitCode);
    }

    /// <summary>The environment dotnet itself needs, to add to a cleared one.</summary>
    public static Dictionary<string, string> DotnetEnvironment()
    {
        var env = new Dictionary<string, string>();
        foreach (var name in new[] { "PATH", "HOME", "DOTNET_ROOT", "DOTNET_CLI_HOME" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                env[name] = value;
            }
        }

        return env;
    }
}
