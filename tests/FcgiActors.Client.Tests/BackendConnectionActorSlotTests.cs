using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using FcgiActors.Client.Tests.Support;
using FcgiActors.Protocol;
using FcgiActors.Testing;
using static FcgiActors.Client.BackendConnectionActor;

namespace FcgiActors.Client.Tests;

/// <summary>The connection actor's slots: the configured limit, ID reuse, and heads handed back when it dies.</summary>
public sealed class BackendConnectionActorSlotTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AssumeMultiplexing_SendsNoProbe_AndPipelinesUpToTheLimit()
    {
        var settings = ClientSettings.Default with { AssumeMultiplexing = true, MaxRequestsPerConnection = 8 };
        await using var connection = await ConnectionHarness.OpenAsync(settings, probe: true);
        var backend = connection.Backend;
        Assert.Equal(8, connection.Opened!.Limit);

        var a = await connection.StartAsync(ResponseReader.Request("a"));
        var b = await connection.StartAsync(ResponseReader.Request("b"));

        var records = await backend.ReadRequestsAsync(1, 2);
        Assert.Equal(RecordType.BeginRequest, records[0].Type); // no GET_VALUES in front
        Assert.DoesNotContain(records, r => r.Type == RecordType.GetValues);
        await backend.SendAsync(ScriptedBackend.Answer(2, "B"), ScriptedBackend.Answer(1, "A"));
        Assert.Equal("A", (await ResponseReader.ReadAllAsync(a)).Stdout);
        Assert.Equal("B", (await ResponseReader.ReadAllAsync(b)).Stdout);
    }

    [Fact]
    public async Task IdOfARunningRequest_IsNotReused_TheEndedOneIs()
    {
        var settings = ClientSettings.Default with { AssumeMultiplexing = true };
        await using var connection = await ConnectionHarness.OpenAsync(settings);
        var backend = connection.Backend;
        var a = await connection.StartAsync(ResponseReader.Request());
        var b = await connection.StartAsync(ResponseReader.Request());
        await backend.ReadRequestsAsync(1, 2);

        await backend.SendAsync(ScriptedBackend.Answer(1, "A"));
        await ResponseReader.ReadAllAsync(a);
        var c = await connection.StartAsync(ResponseReader.Request());
        var d = await connection.StartAsync(ResponseReader.Request());

        Assert.Equal(2, b.RequestId);
        Assert.Equal(1, c.RequestId); // 1 ended: the lowest free ID again
        Assert.Equal(3, d.RequestId); // 2 still runs
    }

    [Fact]
    public async Task ConnectionDies_HeadStillQueued_IsHandedBackUntouched_WrittenOneFailsAsStarted()
    {
        var settings = ClientSettings.Default with { AssumeMultiplexing = true };
        await using var connection = await ConnectionHarness.OpenAsync(settings, options: ScriptedConnector.Tight);
        var backend = connection.Backend;
        // A's head reaches the pipe and the writer waits there (the backend reads nothing).
        var a = connection.StartAsync(ResponseReader.Request("a"));
        Assert.False(await backend.ReadsNothingAsync(Wait));
        var b = new PendingRequest(ResponseReader.Request("b-body"), keepConnection: true, CancellationToken.None);
        connection.Connection.Tell(new StartRequest(b), connection.Pool.Ref);
        // A cancelled request behind B comes straight back: B's start has been handled by then.
        var marker = new PendingRequest(ResponseReader.Request(), keepConnection: true, CancellationToken.None);
        marker.TryCancel();
        connection.Connection.Tell(new StartRequest(marker), connection.Pool.Ref);
        await connection.ExpectAsync<RequestFinished>(f => ReferenceEquals(f.Request, marker));

        await backend.AbortAsync();

        var withdrawn = await connection.ExpectAsync<StartWithdrawn>();
        Assert.Same(b, withdrawn.Request);
        Assert.False(b.IsDone);
        Assert.True(b.Request.Stdin!.TryRead(out var body));
        Assert.Equal("b-body", Encoding.UTF8.GetString(body.Buffer.ToArray()));
        var error = await Assert.ThrowsAsync<FcgiBackendException>(() => a);
        Assert.True(error.RequestStarted);
        await connection.ExpectStoppedAsync();
    }

    [Fact]
    public async Task HeadWrittenDirectlyIntoAFullTransport_WaitsForRoom_AndTheNextHeadFollowsItWhole()
    {
        var settings = ClientSettings.Default with { AssumeMultiplexing = true };
        await using var connection = await ConnectionHarness.OpenAsync(settings, options: ScriptedConnector.Tight);
        var backend = connection.Backend;
        // A's head goes out on the actor's turn and its flush waits (the backend reads nothing
        // yet); B's head, started meanwhile, waits in the queue behind it.
        var a = connection.StartAsync(ResponseReader.Request("a", ("NAME", new string('a', 300))));
        var b = connection.StartAsync(ResponseReader.Request("b", ("NAME", new string('b', 300))));
        Assert.False(await backend.ReadsNothingAsync(Wait)); // A's bytes sit unread in the pipe
        Assert.False(a.IsCompleted);

        var records = await backend.ReadRequestsAsync(1, 2);

        var lastOfA = records.FindLastIndex(r => r.RequestId == 1);
        var firstOfB = records.FindIndex(r => r.RequestId == 2);
        Assert.True(lastOfA < firstOfB, "request 2's head was written into request 1's");
        Assert.Equal(Records.NameValuePair("NAME", new string('a', 300)), RecordCollector.StreamContent(records, RecordType.Params, 1));
        Assert.Equal("b"u8.ToArray(), RecordCollector.StreamContent(records, RecordType.Stdin, 2));
        Assert.Equal(1, (await a).RequestId);
        Assert.Equal(2, (await b).RequestId);
    }
}
