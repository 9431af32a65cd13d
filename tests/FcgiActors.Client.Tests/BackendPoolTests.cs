using FcgiActors.Client.Tests.Support;
using FcgiActors.Testing.Peers;

namespace FcgiActors.Client.Tests;

public sealed class BackendPoolTests
{
    [Fact]
    public async Task UnreachableBackend_FailsWithoutStarting_ThenBacksOff()
    {
        var settings = ClientSettings.Default with { ReconnectMinBackoff = TimeSpan.FromSeconds(30), ReconnectMaxBackoff = TimeSpan.FromSeconds(60) };
        await using var pool = new BackendPool(BackendAddress.Tcp("127.0.0.1", FreePort.Next()), settings);

        var first = await Assert.ThrowsAsync<FcgiBackendException>(() => pool.SendAsync(ResponseReader.Request()));
        Assert.False(first.RequestStarted);
        Assert.False(pool.IsHealthy);
        var second = await Assert.ThrowsAsync<FcgiBackendException>(() => pool.SendAsync(ResponseReader.Request()));
        Assert.Contains("next connect attempt", second.Message);
        Assert.Equal(0, pool.OutstandingRequests);
    }

    [Fact]
    public async Task BackendComingBack_IsUsedAfterTheBackoff()
    {
        var settings = ClientSettings.Default with { ReconnectMinBackoff = TimeSpan.FromMilliseconds(50) };
        await using var echo = await CEchoPeer.StartAsync();
        var missing = BackendAddress.Unix(Path.Combine(Path.GetTempPath(), $"fcgi-missing-{Guid.NewGuid():N}.sock"));
        await using var pool = new BackendPool(missing, settings);
        await Assert.ThrowsAsync<FcgiBackendException>(() => pool.SendAsync(ResponseReader.Request()));

        await using var healthy = new BackendPool(echo.Address, settings);
        await using var response = await healthy.SendAsync(ResponseReader.Request());
        Assert.Equal(0, (await ResponseReader.ReadAllAsync(response)).End.AppStatus);
        Assert.True(healthy.IsHealthy);
    }

    [Fact]
    public async Task HugeParamsThenAnInlinedBody_ThenASmallRequest_OnTheSameConnection_AreAllSentExactly()
    {
        // The connection builds each head in a buffer it keeps while small: a 40 KB PARAMS
        // value and a 60 KB inlined body grow it past what it keeps; the next head must not
        // carry anything of them.
        await using var echo = await CEchoPeer.StartAsync();
        await using var pool = new BackendPool(echo.Address, ClientSettings.Default with { MaxConnectionsPerBackend = 1 });
        var big = new string('p', 40_000);
        var body = new string('b', 60_000);

        await using (var first = await pool.SendAsync(ResponseReader.Request("", ("QUERY_STRING", "first"), ("BIG", big))))
        {
            Assert.Contains("query=first ", (await ResponseReader.ReadAllAsync(first)).Stdout);
        }

        await using (var second = await pool.SendAsync(ResponseReader.Request(body,
            ("QUERY_STRING", "second"), ("REQUEST_METHOD", "POST"), ("CONTENT_LENGTH", "60000"))))
        {
            var stdout = (await ResponseReader.ReadAllAsync(second)).Stdout;
            Assert.Contains("query=second method=POST", stdout);
            Assert.EndsWith(body, stdout);
        }

        await using var third = await pool.SendAsync(ResponseReader.Request("", ("QUERY_STRING", "third")));
        var last = await ResponseReader.ReadAllAsync(third);
        Assert.Contains("query=third method= ", last.Stdout);
        Assert.Contains("content_length=\n", last.Stdout);
        Assert.Equal(1, pool.OpenConnections);
    }

    [Fact]
    public async Task IdleConnection_IsClosedAfterTheIdleTimeout()
    {
        await using var echo = await CEchoPeer.StartAsync();
        await using var pool = new BackendPool(echo.Address, ClientSettings.Default with { IdleTimeout = TimeSpan.FromMilliseconds(200) });
        await using (var response = await pool.SendAsync(ResponseReader.Request()))
        {
            await ResponseReader.ReadAllAsync(response);
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (pool.OpenConnections > 0)
        {
            await Task.Delay(20, cts.Token);
        }

        await using var again = await pool.SendAsync(ResponseReader.Request());
        Assert.Equal(0, (await ResponseReader.ReadAllAsync(again)).End.AppStatus);
    }

    [Fact]
    public async Task CancelWhileQueued_GivesUpWithoutSending()
    {
        await using var echo = await CEchoPeer.StartAsync();
        await using var pool = new BackendPool(echo.Address, ClientSettings.Default with { MaxConnectionsPerBackend = 1 });
        await using var busy = await pool.SendAsync(ResponseReader.Request("", ("QUERY_STRING", "sleep=500")));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.SendAsync(ResponseReader.Request(), cts.Token));
        Assert.Equal(0, (await ResponseReader.ReadAllAsync(busy)).End.AppStatus);
    }

    [Fact]
    public async Task OutstandingRequests_RunningRequest_CountedUntilItsResponseCompletes()
    {
        await using var echo = await CEchoPeer.StartAsync();
        await using var pool = new BackendPool(echo.Address, ClientSettings.Default);
        await using var response = await pool.SendAsync(ResponseReader.Request("", ("QUERY_STRING", "sleep=300")));
        Assert.Equal(1, pool.OutstandingRequests);

        Assert.Equal(0, (await ResponseReader.ReadAllAsync(response)).End.AppStatus);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (pool.OutstandingRequests != 0)
        {
            await Task.Delay(10, cts.Token);
        }
    }

    [Fact]
    public void Settings_Invalid_NameTheHoconPath()
    {
        var error = Assert.Throws<ArgumentException>(() => (ClientSettings.Default with { ResponseBufferSize = 1024 }).Validate());
        Assert.Contains("fcgi.client.response-buffer", error.Message);
    }
}
