using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Proxy.Supervision;

/// <summary>
/// Spawns a pool's backend processes and keeps them running: each slot has a fixed address
/// (so the router's backend list never changes), a process restarted with exponential backoff
/// when it exits, and a graceful stop (SIGTERM, then SIGKILL after the stop timeout).
/// In "fd:0" mode the supervisor owns each slot's listen socket for its whole life and hands it
/// to every incarnation as fd 0 (§2.2): connections made while a process restarts wait in the
/// backlog instead of failing (what mod_fcgid and lighttpd do).
/// </summary>
internal sealed partial class ProcessSupervisor : IAsyncDisposable
{
    private const int SIGTERM = 15;
    private const int SIGKILL = 9;

    private readonly PoolSettings _pool;
    private readonly SpawnSettings _spawn;
    private readonly ILogger _log;
    private readonly Action<int, bool> _onChange;
    private readonly Slot[] _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly string _runDirectory;

    /// <param name="onChange">Called with (slot index, running) when a process starts or exits.</param>
    public ProcessSupervisor(PoolSettings pool, string runDirectory, ILogger log, Action<int, bool>? onChange = null)
    {
        _pool = pool;
        _spawn = pool.Spawn ?? throw new ArgumentException($"fcgi.proxy.pools.{pool.Name}.spawn is not set.", nameof(pool));
        _runDirectory = runDirectory;
        _log = log;
        _onChange = onChange ?? ((_, _) => { });
        _slots = Enumerable.Range(0, _spawn.Count).Select(i => new Slot(i, AddressFor(i))).ToArray();
    }

    /// <summary>The backend address of each slot ("unix:/tmp/...sock", "127.0.0.1:PORT").</summary>
    public IReadOnlyList<string> BackendAddresses => _slots.Select(s => s.Address).ToArray();

    /// <summary>Current PID per slot, 0 while a slot has no process.</summary>
    public IReadOnlyList<int> Pids => _slots.Select(s => s.Process is { HasExited: false } p ? p.Pid : 0).ToArray();

    /// <summary>How many times each slot's process was started.</summary>
    public IReadOnlyList<int> Starts => _slots.Select(s => s.Starts).ToArray();

    /// <summary>Creates the listen sockets (fd:0 mode) and starts every process and its watch loop.</summary>
    public void Start()
    {
        if (_spawn.Listen == "fd:0")
        {
            Directory.CreateDirectory(_runDirectory);
            foreach (var slot in _slots)
            {
                var path = slot.Address["unix:".Length..];
                File.Delete(path);
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                socket.Bind(new UnixDomainSocketEndPoint(path));
                // §3.2 spirit: never world-writable.
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
                }

                socket.Listen(1024);
                slot.ListenSocket = socket;
            }
        }

        foreach (var slot in _slots)
        {
            slot.Loop = Task.Run(() => RunSlotAsync(slot));
        }
    }

    /// <summary>SIGTERM every process, SIGKILL those still running after the stop timeout, close the sockets.</summary>
    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        foreach (var slot in _slots)
        {
            slot.Process?.Signal(SIGTERM);
        }

        var all = Task.WhenAll(_slots.Select(s => s.Process?.Exited ?? Task.FromResult(0)));
        if (await Task.WhenAny(all, Task.Delay(_spawn.StopTimeout)) != all)
        {
            foreach (var slot in _slots)
            {
                if (slot.Process is { HasExited: false } p)
                {
                    LogKilling(_log, _pool.Name, p.Pid, _spawn.StopTimeout.TotalSeconds);
                    p.Signal(SIGKILL);
                }
            }

            await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(5)));
        }

        await Task.WhenAll(_slots.Select(s => s.Loop ?? Task.CompletedTask));
        foreach (var slot in _slots)
        {
            slot.ListenSocket?.Dispose();
            if (slot.Address.StartsWith("unix:", StringComparison.Ordinal))
            {
                File.Delete(slot.Address["unix:".Length..]);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
    }

    /// <summary>The delay before restart number <paramref name="attempt"/> (1-based): min·2^(n-1), capped.</summary>
    internal static TimeSpan Backoff(SpawnSettings spawn, int attempt)
    {
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var ms = Math.Min(spawn.RestartMinBackoff.TotalMilliseconds * factor, spawn.RestartMaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms);
    }

    private async Task RunSlotAsync(Slot slot)
    {
        var crashes = 0;
        while (!_stopping.IsCancellationRequested)
        {
            var startedAt = DateTime.UtcNow;
            ChildProcess process;
            try
            {
                process = Launch(slot);
            }
            catch (Exception ex)
            {
                LogStartFailed(_log, ex, _pool.Name, slot.Index, _spawn.Command);
                crashes++;
                if (!await DelayAsync(Backoff(_spawn, crashes)))
                {
                    return;
                }

                continue;
            }

            slot.Process = process;
            slot.Starts++;
            LogStarted(_log, _pool.Name, slot.Index, process.Pid, slot.Address);
            _onChange(slot.Index, true);
            var code = await process.Exited.ConfigureAwait(false);
            _onChange(slot.Index, false);
            if (_stopping.IsCancellationRequested)
            {
                LogStopped(_log, _pool.Name, slot.Index, process.Pid, code);
                return;
            }

            crashes = DateTime.UtcNow - startedAt >= _spawn.RestartResetAfter ? 1 : crashes + 1;
            var delay = Backoff(_spawn, crashes);
            LogExited(_log, _pool.Name, slot.Index, process.Pid, code, delay.TotalMilliseconds);
            if (!await DelayAsync(delay))
            {
                return;
            }

            FcgiInstruments.BackendRestarted(FcgiComponent.Proxy);
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private ChildProcess Launch(Slot slot)
    {
        var (file, args) = ResolveCommand(_spawn.Command);
        var address = slot.Address;
        args.AddRange(_spawn.Args.Select(a => a
            .Replace("{address}", address, StringComparison.Ordinal)
            .Replace("{index}", slot.Index.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)));

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = (string?)entry.Value ?? "";
        }

        foreach (var (key, value) in _spawn.Environment)
        {
            environment[key] = value;
        }

        environment["FCGI_LISTEN_ADDRESS"] = _spawn.Listen == "fd:0" ? "fd:0" : address;
        if (slot.ListenSocket is null && address.StartsWith("unix:", StringComparison.Ordinal))
        {
            File.Delete(address["unix:".Length..]);
        }

        return ChildProcess.Start(file, args, environment, slot.ListenSocket?.SafeHandle);
    }

    /// <summary>"@self" is this fcgi executable: the apphost, or `dotnet fcgi.dll`.</summary>
    internal static (string File, List<string> Args) ResolveCommand(string command)
    {
        if (command != SpawnSettings.SelfCommand)
        {
            return (command, []);
        }

        var host = Environment.ProcessPath ?? "dotnet";
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            var dll = Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("Cannot find the fcgi assembly to run as @self.");
            return (host, [dll]);
        }

        return (host, []);
    }

    private string AddressFor(int index)
    {
        var i = index.ToString(CultureInfo.InvariantCulture);
        if (_spawn.Listen == "fd:0")
        {
            return "unix:" + Path.Combine(_runDirectory, $"{_pool.Name}-{i}.sock");
        }

        var address = _spawn.Listen.Replace("{index}", i, StringComparison.Ordinal);
        if (address.Contains("{port}", StringComparison.Ordinal))
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            address = address.Replace("{port}", ((IPEndPoint)probe.LocalEndPoint!).Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        return address;
    }

    private sealed class Slot(int index, string address)
    {
        public int Index { get; } = index;
        public string Address { get; } = address;
        public Socket? ListenSocket { get; set; }
        public ChildProcess? Process { get; set; }
        public Task? Loop { get; set; }
        public int Starts { get; set; }
    }

    [LoggerMessage(1, LogLevel.Information, "Pool {Pool} slot {Slot}: started pid {Pid} on {Backend}")]
    private static partial void LogStarted(ILogger logger, string pool, int slot, int pid, string backend);

    [LoggerMessage(2, LogLevel.Warning, "Pool {Pool} slot {Slot}: pid {Pid} exited with {ExitCode}; restarting in {DelayMs} ms")]
    private static partial void LogExited(ILogger logger, string pool, int slot, int pid, int exitCode, double delayMs);

    [LoggerMessage(3, LogLevel.Error, "Pool {Pool} slot {Slot}: cannot start {Command}")]
    private static partial void LogStartFailed(ILogger logger, Exception ex, string pool, int slot, string command);

    [LoggerMessage(4, LogLevel.Information, "Pool {Pool} slot {Slot}: pid {Pid} stopped with {ExitCode}")]
    private static partial void LogStopped(ILogger logger, string pool, int slot, int pid, int exitCode);

    [LoggerMessage(5, LogLevel.Warning, "Pool {Pool}: pid {Pid} still running {Seconds} s after SIGTERM; sending SIGKILL")]
    private static partial void LogKilling(ILogger logger, string pool, int pid, double seconds);
}
