using FcgiActors.Proxy.Supervision;
using FcgiActors.Testing.Peers;
using Microsoft.Extensions.Logging.Abstractions;

namespace FcgiActors.Proxy.Tests.Supervision;

public sealed class ProcessSupervisorTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fcgi-proxy-test-" + Guid.NewGuid().ToString("N")[..8]);

    public ProcessSupervisorTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private PoolSettings Pool(string script, int count = 1, string listen = "fd:0", TimeSpan? stopTimeout = null,
        TimeSpan? minBackoff = null, TimeSpan? maxBackoff = null) => new()
    {
        Name = "t",
        Spawn = new SpawnSettings
        {
            Command = "/bin/sh",
            Args = ["-c", script, "sh", "{index}", "{address}"],
            Count = count,
            Listen = listen,
            Environment = new Dictionary<string, string> { ["OUT"] = _dir },
            RestartMinBackoff = minBackoff ?? TimeSpan.FromMilliseconds(20),
            RestartMaxBackoff = maxBackoff ?? TimeSpan.FromMilliseconds(80),
            StopTimeout = stopTimeout ?? TimeSpan.FromSeconds(5),
        },
    };

    private static async Task WaitUntilAsync(Func<bool> condition, string what, ProcessSupervisor? supervisor = null)
    {
        using var cts = new CancellationTokenSource(Bound);
        while (!condition())
        {
            try
            {
                await Task.Delay(20, cts.Token);
            }
            catch (OperationCanceledException)
            {
                var state = supervisor is null ? "" : $" (starts {string.Join(",", supervisor.Starts)}, pids {string.Join(",", supervisor.Pids)})";
                throw new TimeoutException($"Not within {Bound.TotalSeconds} s: {what}{state}");
            }
        }
    }

    [Fact]
    public async Task Start_FdZeroMode_HandsEachProcessItsListenSocketAsFd0()
    {
        var pool = Pool("readlink /proc/self/fd/0 > \"$OUT/fd0-$1\"; echo \"$FCGI_LISTEN_ADDRESS\" > \"$OUT/env-$1\"; exec sleep 30", count: 2);
        await using var supervisor = new ProcessSupervisor(pool, _dir, NullLogger.Instance);

        supervisor.Start();
        await WaitUntilAsync(() => File.Exists(Path.Combine(_dir, "env-1")) && File.Exists(Path.Combine(_dir, "env-0")), "both processes wrote their fd 0");

        Assert.StartsWith("socket:", await File.ReadAllTextAsync(Path.Combine(_dir, "fd0-0")), StringComparison.Ordinal);
        Assert.StartsWith("socket:", await File.ReadAllTextAsync(Path.Combine(_dir, "fd0-1")), StringComparison.Ordinal);
        Assert.Equal("fd:0\n", await File.ReadAllTextAsync(Path.Combine(_dir, "env-0")));
        Assert.All(supervisor.BackendAddresses, a => Assert.StartsWith("unix:" + _dir, a, StringComparison.Ordinal));
        Assert.All(supervisor.Pids, pid => Assert.True(pid > 0));
    }

    [Fact]
    public async Task Start_AddressMode_PassesAddressInArgsAndEnvironment()
    {
        var pool = Pool("echo \"$2 $FCGI_LISTEN_ADDRESS\" > \"$OUT/addr-$1\"; exec sleep 30", listen: "unix:" + _dir + "/app-{index}.sock");
        await using var supervisor = new ProcessSupervisor(pool, _dir, NullLogger.Instance);

        supervisor.Start();
        var file = Path.Combine(_dir, "addr-0");
        await WaitUntilAsync(() => File.Exists(file) && File.ReadAllText(file).EndsWith('\n'), "the process wrote its address");

        var expected = $"unix:{_dir}/app-0.sock";
        Assert.Equal($"{expected} {expected}\n", await File.ReadAllTextAsync(file));
        Assert.Equal([expected], supervisor.BackendAddresses);
    }

    [Fact]
    public async Task ProcessExits_IsRestarted_WithBackoff()
    {
        var changes = new List<bool>();
        var pool = Pool("exit 3");
        await using var supervisor = new ProcessSupervisor(pool, _dir, NullLogger.Instance, (_, up) => { lock (changes) { changes.Add(up); } });

        supervisor.Start();
        await WaitUntilAsync(() => supervisor.Starts[0] >= 4, "four starts");
        await supervisor.StopAsync();

        lock (changes)
        {
            Assert.Contains(false, changes);
            Assert.Contains(true, changes);
        }
    }

    [Fact]
    public async Task ProcessExitingAtOnce_RestartsAreSpacedByTheDoublingBackoff()
    {
        var pool = Pool("date +%s%N >> \"$OUT/starts\"; exit 3",
            minBackoff: TimeSpan.FromMilliseconds(100), maxBackoff: TimeSpan.FromMilliseconds(400));
        await using var supervisor = new ProcessSupervisor(pool, _dir, NullLogger.Instance);

        supervisor.Start();
        var file = Path.Combine(_dir, "starts");
        await WaitUntilAsync(() => File.Exists(file) && File.ReadAllLines(file).Length >= 5, "five starts", supervisor);
        await supervisor.StopAsync();

        var starts = File.ReadAllLines(file).Take(5).Select(l => long.Parse(l, System.Globalization.CultureInfo.InvariantCulture) / 1_000_000.0).ToArray();
        var gaps = starts.Zip(starts.Skip(1), (a, b) => b - a).ToArray();
        // Each gap is the backoff plus the time to start a shell: at least 100, 200, 400, 400 ms (minus timer slack).
        double[] floors = [100, 200, 400, 400];
        Assert.All(gaps.Zip(floors), g => Assert.True(g.First >= g.Second - 15, $"gaps {string.Join(", ", gaps.Select(x => x.ToString("0")))} ms"));
    }

    [Fact]
    public async Task StopWhileARestartIsBackingOff_StartsNoOtherProcess()
    {
        var pool = Pool("echo x >> \"$OUT/starts\"; exit 3", minBackoff: TimeSpan.FromSeconds(30), maxBackoff: TimeSpan.FromSeconds(30));
        var supervisor = new ProcessSupervisor(pool, _dir, NullLogger.Instance);
        supervisor.Start();
        await WaitUntilAsync(() => supervisor.Starts[0] == 1 && supervisor.Pids[0] == 0, "the first process exited", supervisor);

        await supervisor.StopAsync().WaitAsync(Bound);

        Assert.Equal(1, supervisor.Starts[0]);
        Assert.Single(File.ReadAllLines(Path.Combine(_dir, "starts")));
    }

    [Fact]
    public async Task Supervisor_InAGivenActorSystem_StopsItsProcessesAndLeavesTheSystemRunning()
    {
        await using var kit = new FcgiActors.Testing.ActorSystemFixture("supervision");
        var pool = Pool("echo up > \"$OUT/up-$1\"; exec sleep 30", count: 2);
        var supervisor = new ProcessSupervisor(pool, _dir, NullLogger.Instance, system: kit.System);
        supervisor.Start();
        await WaitUntilAsync(() => supervisor.Pids.All(p => p > 0), "both processes started", supervisor);
        var pids = supervisor.Pids.ToArray();

        await supervisor.StopAsync().WaitAsync(Bound);

        Assert.All(pids, pid => Assert.False(PeerProcess.IsAlive(pid)));
        Assert.Equal([0, 0], supervisor.Pids);
        Assert.False(kit.System.WhenTerminated.IsCompleted);
    }

    [Fact]
    public void Backoff_DoublesFromMinimum_UpToMaximum()
    {
        var spawn = new SpawnSettings { RestartMinBackoff = TimeSpan.FromMilliseconds(100), RestartMaxBackoff = TimeSpan.FromMilliseconds(500) };

        var delays = Enumerable.Range(1, 5).Select(n => ProcessSupervisor.Backoff(spawn, n).TotalMilliseconds);

        Assert.Equal([100d, 200d, 400d, 500d, 500d], delays);
    }

    [Fact]
    public async Task Stop_ProcessIgnoringSigterm_IsKilledAfterStopTimeout()
    {
        var pool = Pool("trap '' TERM; echo up > \"$OUT/up\"; while :; do sleep 0.05; done", stopTimeout: TimeSpan.FromMilliseconds(300));
        var supervisor = new ProcessSupervisor(pool, _dir, NullLogger.Instance);
        supervisor.Start();
        await WaitUntilAsync(() => File.Exists(Path.Combine(_dir, "up")), "the process started", supervisor);
        var pid = supervisor.Pids[0];

        var stop = supervisor.StopAsync();
        var finished = await Task.WhenAny(stop, Task.Delay(Bound)) == stop;
        Assert.True(finished, $"StopAsync did not finish within {Bound.TotalSeconds} s; pid {pid} alive: {PeerProcess.IsAlive(pid)}");
        await stop;

        Assert.False(PeerProcess.IsAlive(pid));
        Assert.Equal(1, supervisor.Starts[0]);
    }

    [Fact]
    public async Task Stop_WellBehavedProcess_ExitsOnSigterm()
    {
        var pool = Pool("echo up > \"$OUT/up\"; exec sleep 30", stopTimeout: TimeSpan.FromSeconds(10));
        var supervisor = new ProcessSupervisor(pool, _dir, NullLogger.Instance);
        supervisor.Start();
        await WaitUntilAsync(() => File.Exists(Path.Combine(_dir, "up")), "the process started", supervisor);

        var started = DateTime.UtcNow;
        await supervisor.StopAsync().WaitAsync(Bound);

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }
}
