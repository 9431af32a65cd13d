using System.Net;
using FcgiActors.Client;
using FcgiActors.Responder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FcgiActors.Proxy.Tests.Support;

/// <summary>Starts an in-process proxy on a free loopback port for one test.</summary>
public static class ProxyHarness
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>Warnings on stderr when FCGI_TEST_LOG is set, for diagnosing a failing run; silent otherwise.</summary>
    public static ILoggerFactory LoggerFactory { get; } = Environment.GetEnvironmentVariable("FCGI_TEST_LOG") is { Length: > 0 } level
        ? Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(Enum.Parse<LogLevel>(level)))
        : NullLoggerFactory.Instance;

    public static async Task<(FcgiProxy Proxy, EndPoint Front)> StartAsync(ProxySettings settings, ClientSettings? client = null, ResponderSettings? front = null)
    {
        var proxy = new FcgiProxy(settings with { Listen = ["127.0.0.1:0"] }, front, client, LoggerFactory);
        await proxy.StartAsync().WaitAsync(Bound);
        return (proxy, proxy.BoundEndPoints[0]);
    }

    public static ProxySettings Pool(params string[] backends) => Pool(new PoolSettings { Backends = backends });

    public static ProxySettings Pool(PoolSettings pool) => ProxySettings.Default with
    {
        Pools = [pool],
        DefaultPool = pool.Name,
        Health = new HealthSettings { FailureThreshold = 2, ProbeInterval = TimeSpan.FromMilliseconds(100), ProbeTimeout = TimeSpan.FromMilliseconds(500) },
        DrainTimeout = TimeSpan.FromSeconds(2),
    };

    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Bound);
        while (!condition())
        {
            try
            {
                await Task.Delay(20, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Not within {(timeout ?? Bound).TotalSeconds} s: {what}");
            }
        }
    }
}
