using FcgiActors.Proxy.Tests.Support;
using FcgiActors.Testing.Peers;
using static FcgiActors.Proxy.Tests.Support.ProxyHarness;

namespace FcgiActors.Proxy.Tests.Interop;

/// <summary>Backends the proxy spawns itself: killed mid-request, the others complete and the process comes back.</summary>
public class SupervisedBackendTests
{
    [Fact]
    public async Task BackendKilledMidRequest_OtherRequestsComplete_BackendRespawned()
    {
        var pool = new PoolSettings
        {
            Name = "echo",
            MaxConnectionsPerBackend = 4,
            Spawn = new SpawnSettings
            {
                Command = "dotnet", Args = [TestPaths.Cli, "echo", "--log-level", "Warning"], Count = 2, Listen = "fd:0",
                RestartMinBackoff = TimeSpan.FromMilliseconds(50),
            },
        };
        var (proxy, front) = await StartAsync(Pool(pool));
        await using var _ = proxy;
        // Warm both processes up so the kill lands mid-request, not mid-start-up.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => FrontClient.RequestAsync(front, FrontClient.Params("warm"), null, default))).WaitAsync(Bound);
        var victim = proxy.Backends[0].Pid;

        var requests = Enumerable.Range(0, 20).Select(i => FrontClient.RequestAsync(front, FrontClient.Params($"n={i}&sleep=1500"), null, default)).ToList();
        await WaitUntilAsync(() => proxy.Backends.All(b => b.OutstandingRequests > 0), "both backends busy");
        PeerProcess.Signal(victim, 9);
        var responses = await Task.WhenAll(requests).WaitAsync(Bound);

        var ok = responses.Count(r => r.Status == 200 && r.Body.StartsWith("query=n=", StringComparison.Ordinal));
        var failed = responses.Count(r => r.Status == 502);
        Assert.Equal(responses.Length, ok + failed);
        Assert.InRange(ok, 1, responses.Length - 1);
        Assert.All(responses.Where(r => r.Status == 200), r => Assert.DoesNotContain($"pid={victim} ", r.Body, StringComparison.Ordinal));

        await WaitUntilAsync(() => proxy.Backends[0].Starts == 2 && proxy.Backends[0].Pid != 0, "the killed backend was respawned");
        Assert.NotEqual(victim, proxy.Backends[0].Pid);
        var after = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => FrontClient.RequestAsync(front, FrontClient.Params($"after={i}"), null, default))).WaitAsync(Bound);
        Assert.All(after, r => Assert.Equal(200, r.Status));
    }
}
