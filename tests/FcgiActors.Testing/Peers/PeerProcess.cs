using System.Diagnostics;
using System.Text;

namespace FcgiActors.Testing.Peers;

/// <summary>
/// A real peer process (nginx, PHP-FPM, cgi-fcgi, a C echo, our own CLI) started for one test
/// and always stopped by its PID: SIGTERM, then SIGKILL after a grace period. Output is kept
/// so a failing test can show it.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private PeerProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Name => Path.GetFileName(_process.StartInfo.FileName);

    public string StandardOutput { get { lock (_stdout) { return _stdout.ToString(); } } }

    public string StandardError { get { lock (_stderr) { return _stderr.ToString(); } } }

    /// <summary>Starts <paramref name="fileName"/> with its output captured line by line.</summary>
    public static PeerProcess Start(string fileName, IEnumerable<string> arguments,
        IDictionary<string, string?>? environment = null, string? workingDirectory = null, bool clearEnvironment = false)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (clearEnvironment)
        {
            info.Environment.Clear();
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var peer = new PeerProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (peer._stdout) { peer._stdout.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (peer._stderr) { peer._stderr.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>Waits for the process to exit by itself.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} (pid {Pid}) did not exit within {timeout.TotalSeconds:0.#} s.\n{Describe()}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGTERM by PID, then SIGKILL if it is still running after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (_process.HasExited)
        {
            return;
        }

        Signal(Pid, 15);
        using var cts = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Sends a signal to a process by PID (kill(2)).</summary>
    public static void Signal(int pid, int signal)
    {
        try
        {
            _ = Kill(pid, signal);
        }
        catch (EntryPointNotFoundException)
        {
            Process.GetProcessById(pid).Kill();
        }
    }

    /// <summary>
    /// True while <paramref name="pid"/> runs and is not a zombie: an orphan that exited stays a
    /// zombie until its new parent reaps it (lazily, when that is a container's PID 1).
    /// </summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Field 3 (state) follows the parenthesised command name, which may contain spaces.
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Output for an assertion message.</summary>
    public string Describe() =>
        $"--- {Name} (pid {Pid}) stdout ---\n{StandardOutput}--- stderr ---\n{StandardError}";

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
