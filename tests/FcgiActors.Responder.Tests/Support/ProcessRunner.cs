using System.Diagnostics;

namespace FcgiActors.Responder.Tests.Support;

/// <summary>Runs a short-lived program with stdin bytes and captures stdout bytes; killed by PID on timeout.</summary>
public static class ProcessRunner
{
    public sealed record Result(int ExitCode, byte[] Stdout, string Stderr);

    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, IDictionary<string, string> environment,
        byte[]? stdin = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Clear();
        info.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            var output = new MemoryStream();
            var reading = process.StandardOutput.BaseStream.CopyToAsync(output, cts.Token);
            var errors = process.StandardError.ReadToEndAsync(cts.Token);
            if (stdin is not null)
            {
                await process.StandardInput.BaseStream.WriteAsync(stdin, cts.Token);
            }

            process.StandardInput.Close();
            await process.WaitForExitAsync(cts.Token);
            await reading;
            return new Result(process.ExitCode, output.ToArray(), await errors);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish within {(timeout ?? TimeSpan.FromSeconds(20)).TotalSeconds} s.");
        }
    }

    /// <summary>The built fcgi.dll: $FCGI_TEST_CLI (set by test.sh), else found from the repository root.</summary>
    public static string CliPath()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("FCGI_TEST_CLI");
        if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(fromEnvironment))
        {
            return fromEnvironment;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var configuration in new[] { "Release", "Debug" })
            {
                var candidate = Path.Combine(dir.FullName, "src", "FcgiActors.Cli", "bin", configuration, "net10.0", "fcgi.dll");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException("fcgi.dll not found: set FCGI_TEST_CLI or build src/FcgiActors.Cli (test.sh does both).");
    }

    /// <summary>A temporary executable script that execs `dotnet fcgi.dll echo ARGS` (cgi-fcgi -start needs an executable).</summary>
    public static string WriteEchoWrapper(string directory, string arguments = "")
    {
        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var path = Path.Combine(directory, "fcgi-echo.sh");
        File.WriteAllText(path, $"#!/bin/sh\nexec {dotnet} {CliPath()} echo {arguments}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        return path;
    }
}
