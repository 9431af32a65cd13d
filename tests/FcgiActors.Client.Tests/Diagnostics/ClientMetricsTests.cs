using FcgiActors.Client.Tests.Support;
using FcgiActors.Testing;
using FcgiActors.Testing.Peers;

namespace FcgiActors.Client.Tests.Diagnostics;

/// <summary>The client's instruments over a real loopback socket, read by meter name.</summary>
[Collection(MetricsCollection.Name)]
public sealed class ClientMetricsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly (string, string) Client = ("component", "client");

    [Fact]
    public async Task Request_Answered_ConnectionCountedOpenUntilThePoolCloses()
    {
        using var metrics = new MetricsRecorder();
        await using var backend = new LoopbackBackend();
        var pool = new BackendPool(backend.Address, ClientSettings.Default with { ProbeMultiplexing = false });
        try
        {
            var sending = pool.SendAsync(ResponseReader.Request());
            var script = await backend.AcceptAsync();
            await script.ReadRequestAsync(1);
            await script.SendAsync(ScriptedBackend.Answer(1, "\r\nok"));
            await using (var response = await sending.WaitAsync(Bound))
            {
                await ResponseReader.ReadAllAsync(response);
            }

            Assert.Equal(1, metrics.Sum("fcgi.connections.active", Client));
        }
        finally
        {
            await pool.DisposeAsync();
        }

        Assert.Equal(0, metrics.Sum("fcgi.connections.active", Client));
        Assert.Equal(0, metrics.Sum("fcgi.backend.errors", Client));
    }

    [Fact]
    public async Task BackendClosesMidRequest_CountsTheLostRequest()
    {
        using var metrics = new MetricsRecorder();
        await using var backend = new LoopbackBackend();
        await using var pool = new BackendPool(backend.Address, ClientSettings.Default with { ProbeMultiplexing = false });

        var sending = pool.SendAsync(ResponseReader.Request());
        var script = await backend.AcceptAsync();
        await script.ReadRequestAsync(1);
        backend.CloseConnection();
        await using (var response = await sending.WaitAsync(Bound))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => ResponseReader.ReadAllAsync(response));
        }

        await metrics.WaitUntilAsync(m => m.Sum("fcgi.connections.active", Client) == 0, "the connection closed", Bound);
        Assert.Equal(1, metrics.Sum("fcgi.backend.errors", Client, ("error.type", "connection-lost")));
    }

    [Fact]
    public async Task ConnectRefused_CountsAConnectError()
    {
        using var metrics = new MetricsRecorder();
        // The pool keeps one connection retrying with backoff under supervision; a long first
        // backoff keeps the count at the one attempt this test makes.
        var settings = ClientSettings.Default with { ReconnectMinBackoff = TimeSpan.FromMinutes(1), ReconnectMaxBackoff = TimeSpan.FromMinutes(1) };
        await using var pool = new BackendPool(BackendAddress.Tcp("127.0.0.1", FreePort.Next()), settings);

        await Assert.ThrowsAsync<FcgiBackendException>(() => pool.SendAsync(ResponseReader.Request()));

        Assert.Equal(1, metrics.Sum("fcgi.backend.errors", Client, ("error.type", "connect")));
        Assert.Equal(0, metrics.Sum("fcgi.connections.active", Client));
    }
}
