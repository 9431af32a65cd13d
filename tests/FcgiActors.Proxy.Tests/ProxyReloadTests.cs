using FcgiActors.Proxy.Tests.Support;
using FcgiActors.Testing.Peers;
using static FcgiActors.Proxy.Tests.Support.ProxyHarness;

namespace FcgiActors.Proxy.Tests;

/// <summary>FcgiProxy.ReloadAsync: a new configuration swapped in under traffic, the old one drained.</summary>
public class ProxyReloadTests
{
    private static ScriptedBackend Answering(string body) => new(async c =>
    {
        while (await c.ReadRequestAsync() is { } request)
        {
            await c.RespondAsync(request.Id, "\r\n" + body);
        }
    });

    private static Task<FrontResponse> GetAsync(System.Net.EndPoint front, string script) =>
        FrontClient.RequestAsync(front, FrontClient.Params(script: script), null, default).WaitAsync(Bound);

    [Fact]
    public async Task Reload_AddsRouteToNewPool_MatchingRequestsGoThereAfterwards_OldPoolKeepsItsConnection()
    {
        await using var a = Answering("from-a");
        await using var b = Answering("from-b");
        var before = Pool(new PoolSettings { Name = "a", Backends = [a.Address] });
        var (proxy, front) = await StartAsync(before);
        await using var _ = proxy;
        Assert.Equal("from-a", (await GetAsync(front, "/srv/b/index.php")).Body);
        var acceptedBefore = a.Accepted;

        var summary = await proxy.ReloadAsync(before with
        {
            Listen = proxy.Settings.Listen,
            Pools = [new PoolSettings { Name = "a", Backends = [a.Address] }, new PoolSettings { Name = "b", Backends = [b.Address] }],
            Routes = [new RouteSettings("SCRIPT_FILENAME", "/srv/b/", "b")],
        }).WaitAsync(Bound);

        Assert.Equal("from-b", (await GetAsync(front, "/srv/b/index.php")).Body);
        Assert.Equal("from-a", (await GetAsync(front, "/srv/other/index.php")).Body);
        Assert.Equal(["a"], summary.KeptPools);
        Assert.Equal(["b"], summary.StartedPools);
        Assert.Empty(summary.StoppedPools);
        Assert.Equal(1, summary.Routes);
        Assert.False(summary.ListenChanged);
        Assert.Equal(acceptedBefore, a.Accepted);
    }

    [Theory]
    [InlineData("route", "fcgi.proxy.routes[0].pool")]
    [InlineData("concurrency", "fcgi.proxy.pools.a.max-concurrency")]
    [InlineData("no-pools", "fcgi.proxy.pools")]
    public async Task Reload_InvalidConfiguration_ThrowsNamingTheKey_NothingChanges(string fault, string key)
    {
        await using var a = Answering("from-a");
        var settings = Pool(new PoolSettings { Name = "a", Backends = [a.Address] });
        var (proxy, front) = await StartAsync(settings);
        await using var _ = proxy;
        var running = proxy.Settings;
        var invalid = fault switch
        {
            "route" => running with { Routes = [new RouteSettings("SCRIPT_FILENAME", "/srv/", "missing")] },
            "concurrency" => running with { Pools = [new PoolSettings { Name = "a", Backends = [a.Address], MaxConcurrency = 0 }] },
            _ => running with { Pools = [] },
        };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => proxy.ReloadAsync(invalid)).WaitAsync(Bound);

        Assert.StartsWith(key, error.Message, StringComparison.Ordinal);
        Assert.Same(running, proxy.Settings);
        Assert.Equal("from-a", (await GetAsync(front, "/srv/x.php")).Body);
    }

    [Fact]
    public async Task Reload_MidRequest_InFlightRequestCompletesOnOldBackend_NewRequestsUseNewOne()
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = new ScriptedBackend(async c =>
        {
            while (await c.ReadRequestAsync() is { } request)
            {
                received.TrySetResult();
                await release.Task;
                await c.RespondAsync(request.Id, "\r\nfrom-old");
            }
        });
        await using var fresh = Answering("from-new");
        var (proxy, front) = await StartAsync(Pool(slow.Address));
        await using var _ = proxy;
        var inFlight = GetAsync(front, "/srv/x.php");
        await received.Task.WaitAsync(Bound);

        var summary = await proxy.ReloadAsync(proxy.Settings with { Pools = [new PoolSettings { Backends = [fresh.Address] }] }).WaitAsync(Bound);
        var after = await GetAsync(front, "/srv/x.php");
        release.SetResult();

        Assert.Equal("from-new", after.Body);
        Assert.Equal("from-old", (await inFlight).Body);
        Assert.Equal(["default"], summary.StartedPools);
        Assert.Equal(["default"], summary.StoppedPools);
    }

    [Fact]
    public async Task Reload_RequestOnRemovedPoolOutlivesDrainTimeout_IsAbortedWith502()
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var silent = new ScriptedBackend(async c =>
        {
            while (await c.ReadRequestAsync() is not null)
            {
                received.TrySetResult();
            }
        });
        await using var fresh = Answering("from-new");
        var (proxy, front) = await StartAsync(Pool(silent.Address));
        await using var _ = proxy;
        var stuck = GetAsync(front, "/srv/x.php");
        await received.Task.WaitAsync(Bound);

        await proxy.ReloadAsync(proxy.Settings with
        {
            Pools = [new PoolSettings { Backends = [fresh.Address] }],
            DrainTimeout = TimeSpan.FromMilliseconds(200),
        }).WaitAsync(Bound);

        Assert.Equal(502, (await stuck).Status);
        Assert.Equal("from-new", (await GetAsync(front, "/srv/x.php")).Body);
    }

    [Fact]
    public async Task Reload_SpawnedPools_UnchangedKeepsItsPids_RemovedOnesProcessesAreStopped()
    {
        static PoolSettings Echo(string name) => new()
        {
            Name = name,
            MaxConnectionsPerBackend = 2,
            Spawn = new SpawnSettings { Command = "dotnet", Args = [TestPaths.Cli, "echo", "--log-level", "Warning"], Count = 1, Listen = "fd:0" },
        };
        var settings = Pool(Echo("keep")) with { Pools = [Echo("keep"), Echo("gone")] };
        var (proxy, front) = await StartAsync(settings);
        await using var _ = proxy;
        await WaitUntilAsync(() => proxy.Backends.All(b => b.Pid != 0), "both pools' processes running");
        var kept = proxy.Backends.Single(b => b.Pool == "keep").Pid;
        var gone = proxy.Backends.Single(b => b.Pool == "gone").Pid;

        // New instances with equal values: the comparison is by value, not by reference.
        var summary = await proxy.ReloadAsync(proxy.Settings with
        {
            Pools = [Echo("keep")],
            Routes = [new RouteSettings("SCRIPT_FILENAME", "/srv/keep/", "keep")],
        }).WaitAsync(Bound);
        await WaitUntilAsync(() => !IsRunning(gone), $"pid {gone} of the removed pool stopped");
        var response = await GetAsync(front, "/srv/keep/x.php");

        Assert.Equal(["keep"], summary.KeptPools);
        Assert.Equal(["gone"], summary.StoppedPools);
        var backend = Assert.Single(proxy.Backends);
        Assert.Equal(kept, backend.Pid);
        Assert.Equal(1, backend.Starts);
        Assert.Contains($"pid={kept} ", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_SpawnedPoolChanged_NewProcessesServe_OldOnesAreStopped()
    {
        static PoolSettings Echo(int count) => new()
        {
            Spawn = new SpawnSettings { Command = "dotnet", Args = [TestPaths.Cli, "echo", "--log-level", "Warning"], Count = count, Listen = "fd:0" },
        };
        var (proxy, front) = await StartAsync(Pool(Echo(1)));
        await using var _ = proxy;
        await WaitUntilAsync(() => proxy.Backends.All(b => b.Pid != 0), "the first process running");
        var old = proxy.Backends.Single().Pid;

        var summary = await proxy.ReloadAsync(proxy.Settings with { Pools = [Echo(2)] }).WaitAsync(Bound);
        await WaitUntilAsync(() => proxy.Backends.All(b => b.Pid != 0), "both new processes running");
        await WaitUntilAsync(() => !IsRunning(old), $"pid {old} of the old pool stopped");
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => GetAsync(front, "/srv/x.php")));

        Assert.Equal(["default"], summary.StoppedPools);
        Assert.Equal(["default"], summary.StartedPools);
        Assert.Equal(2, proxy.Backends.Count);
        Assert.DoesNotContain(old, proxy.Backends.Select(b => b.Pid));
        // The new fd:0 sockets are the new generation's own: the old ones stayed for the old processes while they drained.
        Assert.All(proxy.Backends, b => Assert.Contains("/g2/", b.Address, StringComparison.Ordinal));
        Assert.All(responses, r => Assert.Equal(200, r.Status));
        Assert.All(responses, r => Assert.DoesNotContain($"pid={old} ", r.Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reloads_UnderSteadyTraffic_EveryRequestIsAnswered()
    {
        await using var a = Answering("from-a");
        await using var b = Answering("from-b");
        var (proxy, front) = await StartAsync(Pool(a.Address));
        await using var _ = proxy;
        var toA = proxy.Settings;
        var toB = toA with { Pools = [new PoolSettings { Backends = [b.Address] }] };
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 4).Select(async _ =>
        {
            var responses = new List<FrontResponse>();
            while (!stop.IsCancellationRequested)
            {
                responses.Add(await GetAsync(front, "/srv/x.php"));
            }

            return responses;
        }).ToList();

        for (var i = 0; i < 6; i++)
        {
            await proxy.ReloadAsync(i % 2 == 0 ? toB : toA).WaitAsync(Bound);
        }

        // Two at once: the second waits for the first.
        await Task.WhenAll(proxy.ReloadAsync(toB), proxy.ReloadAsync(toA)).WaitAsync(Bound);
        stop.Cancel();
        var answered = (await Task.WhenAll(clients).WaitAsync(Bound)).SelectMany(r => r).ToList();

        Assert.NotEmpty(answered);
        Assert.All(answered, r => Assert.Contains(r.Body, new[] { "from-a", "from-b" }));
        Assert.Equal("from-a", (await GetAsync(front, "/srv/x.php")).Body);
    }

    [Fact]
    public async Task Reload_ChangedListen_IsReportedAndNotApplied()
    {
        await using var a = Answering("from-a");
        var (proxy, front) = await StartAsync(Pool(a.Address));
        await using var _ = proxy;

        var summary = await proxy.ReloadAsync(proxy.Settings with { Listen = ["127.0.0.1:1"] }).WaitAsync(Bound);

        Assert.True(summary.ListenChanged);
        Assert.Equal(front, proxy.BoundEndPoints[0]);
        Assert.Equal("from-a", (await GetAsync(front, "/srv/x.php")).Body);
    }

    [Fact]
    public async Task Reload_BeforeStartOrAfterStop_IsRefused()
    {
        await using var a = Answering("from-a");
        var settings = Pool(a.Address) with { Listen = ["127.0.0.1:0"] };
        var proxy = new FcgiProxy(settings, loggerFactory: LoggerFactory);

        await Assert.ThrowsAsync<InvalidOperationException>(() => proxy.ReloadAsync(settings));
        await proxy.StartAsync().WaitAsync(Bound);
        await proxy.StopAsync().WaitAsync(Bound);
        await Assert.ThrowsAsync<InvalidOperationException>(() => proxy.ReloadAsync(settings));
    }

    /// <summary>Running and not a zombie.</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
