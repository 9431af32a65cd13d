using FcgiActors.Actors;
using FcgiActors.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using static FcgiActors.Client.BackendConnectionActor;

namespace FcgiActors.Client.Tests.Support;

/// <summary>
/// A <see cref="BackendConnectionActor"/> over an in-memory pipe, with a probe in the pool's
/// place: the test starts requests as the pool would and sees what the actor tells the pool.
/// </summary>
internal sealed class ConnectionHarness : IAsyncDisposable
{
    private readonly ActorSystemFixture _kit = new("connection");

    private ConnectionHarness(ClientSettings settings, bool probe, System.IO.Pipelines.PipeOptions? options)
    {
        Pool = _kit.CreateProbe("pool");
        var (client, server) = DuplexPipe.CreatePair(options);
        Backend = new ScriptedBackend(server);
        BackendConnector connector = _ => Task.FromResult<(System.IO.Pipelines.IDuplexPipe, IDisposable?)>((client, null));
        var pool = Pool.Ref;
        var effective = settings with { ProbeMultiplexing = probe };
        Connection = _kit.System.ActorOf(Props.Create(() =>
            new BackendConnectionActor(ScriptedBackend.Address, effective, pool, connector, NullLogger.Instance)), "connection");
        Pool.Watch(Connection);
    }

    public TestProbe Pool { get; }

    public IActorRef Connection { get; }

    public ScriptedBackend Backend { get; }

    /// <summary>An open connection (its ConnectionOpened already taken from the pool probe).</summary>
    public static async Task<ConnectionHarness> OpenAsync(ClientSettings? settings = null, bool probe = false, System.IO.Pipelines.PipeOptions? options = null)
    {
        var harness = new ConnectionHarness(settings ?? ClientSettings.Default, probe, options);
        harness.Opened = await harness.Pool.ExpectMsgAsync<ConnectionOpened>();
        return harness;
    }

    public ConnectionOpened? Opened { get; private set; }

    /// <summary>Sends StartRequest as the pool would; completes when the head reached the pipe.</summary>
    public Task<FcgiResponse> StartAsync(FcgiClientRequest request, bool keep = true, CancellationToken ct = default) =>
        Send(new PendingRequest(request, keep, ct));

    public Task<FcgiResponse> Send(PendingRequest pending)
    {
        Connection.Tell(new StartRequest(pending), Pool.Ref);
        return pending.Task.WaitAsync(ScriptedBackend.Timeout);
    }

    /// <summary>A further request is handed back untouched (the connection is at its limit or closing).</summary>
    public async Task ExpectRejectedAsync()
    {
        var pending = new PendingRequest(ResponseReader.Request(), keepConnection: true, CancellationToken.None);
        Connection.Tell(new StartRequest(pending), Pool.Ref);
        var rejected = await ExpectAsync<StartRejected>();
        Assert.Same(pending, rejected.Request);
        Assert.False(pending.IsDone);
    }

    /// <summary>The next pool message of type <typeparamref name="T"/>, skipping the others.</summary>
    public Task<T> ExpectAsync<T>(Predicate<T>? match = null) => Pool.FishForMessageAsync(match ?? (_ => true), ScriptedBackend.Timeout);

    public Task ExpectStoppedAsync() => Pool.FishForMessageAsync<Terminated>(t => t.ActorRef.Equals(Connection), ScriptedBackend.Timeout);

    public ValueTask DisposeAsync() => _kit.DisposeAsync();
}
