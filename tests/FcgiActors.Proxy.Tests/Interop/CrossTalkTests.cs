using System.Net;
using System.Text;
using FcgiActors.Proxy.Tests.Support;
using FcgiActors.Responder;
using static FcgiActors.Proxy.Tests.Support.ProxyHarness;

namespace FcgiActors.Proxy.Tests.Interop;

/// <summary>
/// Request-ID remapping under load: many front connections all using request ID 1 (as nginx
/// does), multiplexed over few backend connections; every front must get its own echo.
/// </summary>
public class CrossTalkTests
{
    [Fact]
    public async Task TwoHundredFrontConnectionsOnRequestId1_EachGetsItsOwnEcho_OverTwoBackendConnections()
    {
        var backendSettings = ResponderSettings.Default with { Listen = [ListenAddress.Parse("127.0.0.1:0")], MaxRequestsPerConnection = 1000 };
        await using var backend = new FcgiServer(backendSettings, EchoHandler.HandleAsync);
        await backend.StartAsync().WaitAsync(Bound);
        var address = ((IPEndPoint)backend.BoundEndPoints[0]).ToString();
        var pool = new PoolSettings { Backends = [address], MaxConnectionsPerBackend = 2, MaxRequestsPerConnection = 256, Multiplexing = MultiplexingMode.Auto };
        // 200 connections at once on a 2-core machine shared with other work: generous front
        // timeouts, so that the check is about cross-talk, not about the machine's load.
        var frontSettings = ResponderSettings.Default with { FirstRecordTimeout = TimeSpan.FromSeconds(20), CloseDrainTimeout = TimeSpan.FromSeconds(20) };
        var (proxy, front) = await StartAsync(Pool(pool), front: frontSettings);
        await using var _ = proxy;
        var maxBackendConnections = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                maxBackendConnections = Math.Max(maxBackendConnections, backend.OpenConnections);
                await Task.Delay(5);
            }
        });

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            var body = Encoding.ASCII.GetBytes($"front-{i}:" + new string((char)('a' + (i % 26)), 100 + (i * 97 % 5000)));
            var response = await FrontClient.RequestAsync(front, FrontClient.Params($"i={i}&sleep=50", "POST", body.Length), body, default);
            return (i, body, response);
        })).WaitAsync(Bound);
        await sampling.CancelAsync();
        await sampler;

        foreach (var (i, body, response) in results)
        {
            Assert.Equal(0, response.AppStatus);
            var lines = response.Body.Split('\n', 2);
            Assert.StartsWith($"query=i={i}&sleep=50 method=POST", lines[0], StringComparison.Ordinal);
            Assert.Equal(Encoding.ASCII.GetString(body), lines[1]);
        }

        Assert.InRange(maxBackendConnections, 1, 2);
    }
}
