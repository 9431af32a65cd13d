using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using FcgiActors.Actors;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Proxy.Supervision;

/// <summary>
/// Spawns a pool's backend processes and keeps them running: each slot has a fixed address
/// (so the router's backend list never changes), a process restarted with exponential backoff
/// when it exits, and a graceful stop (SIGTERM, then SIGKILL after the stop timeout).
/// In "fd:0" mode each slot's listen socket lives as long as the supervisor and is handed to
/// every incarnation as fd 0 (§2.2): connections made while a process restarts wait in the
/// backlog instead of failing (what mod_fcgid and lighttpd do). The work is done by a
/// <see cref="ProcessSupervisorActor"/> and its <see cref="ProcessSlotActor"/> children (restart
/// with backoff is the kernel's supervision); this class creates them and reads their status.
/// </summary>
internal sealed partial class ProcessSupervisor : IAsyncDisposable
{
    private static int s_nextSupervisor;

    private readonly PoolSettings _pool;
    private readonly SpawnSettings _spawn;
    private readonly ILogger _log;
    private readonly Action<int, bool> _onChange;
    private readonly ProcessSlot[] _slots;
    private readonly string _runDirectory;
    private readonly ActorSystem? _givenSystem;
    private ActorSystem? _ownSystem;
    private IActorRef? _actor;
    private int _stopped;

    /// <param name="onChange">Called with (slot index, running) when a process starts or exits.</param>
    /// <param name="system">The actor system to supervise in; a private one when null.</param>
    public ProcessSupervisor(PoolSettings pool, string runDirectory, ILogger log, Action<int, bool>? onChange = null, ActorSystem? system = null)
    {
        _pool = pool;
        _spawn = pool.Spawn ?? throw new ArgumentException($"fcgi.proxy.pools.{pool.Name}.spawn is not set.", nameof(pool));
        _runDirectory = runDirectory;
        _log = log;
        _onChange = onChange ?? ((_, _) => { });
        _givenSystem = system;
        _slots = Enumerable.Range(0, _spawn.Count).Select(i => new ProcessSlot(i, AddressFor(i))).ToArray();
    }

    /// <summary>The backend address of each slot ("unix:/tmp/...sock", "127.0.0.1:PORT").</summary>
    public IReadOnlyList<string> BackendAddresses => _slots.Select(s => s.Address).ToArray();

    /// <summary>Current PID per slot, 0 while a slot has no process.</summary>
    public IReadOnlyList<int> Pids => _slots.Select(s => s.Process is { HasExited: false } p ? p.Pid : 0).ToArray();

    /// <summary>How many times each slot's process was started.</summary>
    public IReadOnlyList<int> Starts => _slots.Select(s => s.Starts).ToArray();

    /// <summary>Creates the listen sockets (fd:0 mode; a bind error throws here) and starts the supervisor actor.</summary>
    public void Start()
    {
        if (_actor is not null)
        {
            return;
        }

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

        var system = _givenSystem ?? (_ownSystem = ActorSystem.Create("fcgi-supervisor"));
        var (pool, slots, log, onChange) = (_pool, _slots, _log, _onChange);
        _actor = system.ActorOf(Props.Create(() => new ProcessSupervisorActor(pool, slots, log, onChange)),
            $"process-supervisor-{Interlocked.Increment(ref s_nextSupervisor)}");
    }

    /// <summary>SIGTERM every process, SIGKILL those still running after the stop timeout, close the sockets.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0 || _actor is null)
        {
            return;
        }

        try
        {
            // The stop timeout, then SIGKILL and up to 5 s for the kill to be reaped, then slack.
            await _actor.Ask<ProcessSupervisorActor.ProcessesStopped>(ProcessSupervisorActor.StopProcesses.Instance,
                _spawn.StopTimeout + TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        finally
        {
            if (_ownSystem is not null)
            {
                await _ownSystem.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>The delay before restart number <paramref name="attempt"/> (1-based): min·2^(n-1), capped.</summary>
    internal static TimeSpan Backoff(SpawnSettings spawn, int attempt)
    {
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        var ms = Math.Min(spawn.RestartMinBackoff.TotalMilliseconds * factor, spawn.RestartMaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms);
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

    [LoggerMessage(1, LogLevel.Information, "Pool {Pool} slot {Slot}: started pid {Pid} on {Backend}")]
    internal static partial void LogStarted(ILogger logger, string pool, int slot, int pid, string backend);

    [LoggerMessage(2, LogLevel.Warning, "Pool {Pool} slot {Slot}: pid {Pid} exited with {ExitCode}; restarting in {DelayMs} ms")]
    internal static partial void LogExited(ILogger logger, string pool, int slot, int pid, int exitCode, double delayMs);

    [LoggerMessage(3, LogLevel.Error, "Pool {Pool} slot {Slot}: cannot start {Command}")]
    internal static partial void LogStartFailed(ILogger logger, Exception ex, string pool, int slot, string command);

    [LoggerMessage(4, LogLevel.Information, "Pool {Pool} slot {Slot}: pid {Pid} stopped with {ExitCode}")]
    internal static partial void LogStopped(ILogger logger, string pool, int slot, int pid, int exitCode);

    [LoggerMessage(5, LogLevel.Warning, "Pool {Pool}: pid {Pid} still running {Seconds} s after SIGTERM; sending SIGKILL")]
    internal static partial void LogKilling(ILogger logger, string pool, int pid, double seconds);
}
