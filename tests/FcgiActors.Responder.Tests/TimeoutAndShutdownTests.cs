using FcgiActors.Protocol;
using FcgiActors.Responder.Tests.Support;
using FcgiActors.Testing;

namespace FcgiActors.Responder.Tests;

/// <summary>Timeouts with sane defaults, disconnects and graceful shutdown.</summary>
public sealed class TimeoutAndShutdownTests
{
    private static Task Hello(FcgiRequestContext c) => c.Output.WriteAsync("hello"u8.ToArray()).AsTask();

    [Fact]
    public async Task FirstRecordTimeout_ClosesASilentConnection()
    {
        var settings = ResponderSettings.Default with { FirstRecordTimeout = TimeSpan.FromMilliseconds(300) };
        await using var server = await TestServer.StartAsync(Hello, settings);
        await using var connection = await server.ConnectAsync();

        Assert.Empty(await connection.ReadToCloseAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task ParamsTimeout_FailsTheRequest()
    {
        var settings = ResponderSettings.Default with { ParamsTimeout = TimeSpan.FromMilliseconds(300) };
        await using var server = await TestServer.StartAsync(Hello, settings);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(Records.BeginRequest(1, Role.Responder, BeginRequestFlags.KeepConn), Records.MakeRecord(RecordType.Params, 1, Records.NameValuePair("A", "B")));

        var records = await connection.ReadUntilEndAsync(1, TimeSpan.FromSeconds(5));

        Assert.Equal(1, Responses.SingleEnd(records, 1).AppStatus);
    }

    [Fact]
    public async Task IdleTimeout_ClosesAKeptConnection()
    {
        var settings = ResponderSettings.Default with { IdleTimeout = TimeSpan.FromMilliseconds(300) };
        await using var server = await TestServer.StartAsync(Hello, settings);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()));

        var records = await connection.ReadToCloseAsync(TimeSpan.FromSeconds(5));

        Assert.Single(records, r => r.Type == RecordType.EndRequest);
    }

    [Fact]
    public async Task MinBodyRate_FailsARequestWhoseBodyTrickles()
    {
        var settings = ResponderSettings.Default with { MinBodyRate = 1000, MinBodyRateGracePeriod = TimeSpan.FromMilliseconds(300) };
        await using var server = await TestServer.StartAsync(EchoHandler.HandleAsync, settings);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(Records.BeginRequest(1, Role.Responder, BeginRequestFlags.KeepConn), Records.Params(1, TestServer.Post(100)), Records.MakeRecord(RecordType.Stdin, 1, "x"u8));

        var records = await connection.ReadUntilEndAsync(1, TimeSpan.FromSeconds(5));

        Assert.Equal(1, Responses.SingleEnd(records, 1).AppStatus);
    }

    [Fact]
    public async Task DisconnectMidRequest_CancelsTheHandler()
    {
        var cancelled = new TaskCompletionSource();
        var started = new TaskCompletionSource();
        await using var server = await TestServer.StartAsync(async c =>
        {
            started.TrySetResult();
            try { await Task.Delay(Timeout.Infinite, c.Aborted); } catch (OperationCanceledException) { cancelled.TrySetResult(); }
        });
        var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(5));

        await connection.DisposeAsync();

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await MultiplexingTests.WaitUntilAsync(() => server.Server.ActiveRequests == 0 && server.Server.OpenConnections == 0);
    }

    [Fact]
    public async Task StopAsync_LetsAnInFlightRequestFinish_AndRefusesNewConnections()
    {
        var release = new TaskCompletionSource();
        var started = new TaskCompletionSource();
        var server = await TestServer.StartAsync(async c =>
        {
            started.TrySetResult();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await Hello(c);
        });
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(5));

        var stopping = server.Server.StopAsync();
        await RefusedAsync(server);
        release.SetResult();
        var records = await connection.ReadToCloseAsync();
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("hello", Responses.Stdout(records, 1));
    }

    [Fact]
    public async Task StopAsync_AbortsWhatIsLeftAfterTheDrainTimeout()
    {
        var cancelled = new TaskCompletionSource();
        var started = new TaskCompletionSource();
        var settings = ResponderSettings.Default with { ShutdownDrainTimeout = TimeSpan.FromMilliseconds(200) };
        var server = await TestServer.StartAsync(async c =>
        {
            started.TrySetResult();
            try { await Task.Delay(Timeout.Infinite, c.Aborted); } catch (OperationCanceledException) { cancelled.TrySetResult(); }
        }, settings);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(5));

        await server.Server.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await connection.ReadToCloseAsync();
    }

    /// <summary>Connecting fails once the listen socket is closed (StopAsync closes it first, asynchronously).</summary>
    private static async Task RefusedAsync(TestServer server)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (true)
        {
            try
            {
                await using var late = await server.ConnectAsync();
            }
            catch (System.Net.Sockets.SocketException)
            {
                return;
            }

            await Task.Delay(10, cts.Token);
        }
    }
}
