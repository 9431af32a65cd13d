using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using FcgiActors.Client.Tests.Support;
using FcgiActors.Protocol;
using FcgiActors.Testing;
using static FcgiActors.Client.BackendConnectionActor;

namespace FcgiActors.Client.Tests;

/// <summary>The connection actor with a scripted backend; a probe stands in for the pool.</summary>
public sealed class BackendConnectionActorTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task StartRequest_SendsBeginParamsAndStdin_InSpecOrder()
    {
        await using var connection = await ConnectionHarness.OpenAsync();
        var backend = connection.Backend;
        await connection.StartAsync(ResponseReader.Request("body!", ("A", "1"), ("QUERY_STRING", "x=y")));

        var records = await backend.ReadRequestAsync(1);

        Assert.Equal(RecordType.BeginRequest, records[0].Type);
        Assert.Equal(1, records[0].RequestId);
        Assert.Equal((ushort)Role.Responder, BinaryPrimitives.ReadUInt16BigEndian(records[0].Content));
        Assert.Equal((byte)BeginRequestFlags.KeepConn, records[0].Content[2]);
        var parameters = RecordCollector.StreamContent(records, RecordType.Params, 1);
        Assert.Equal(Records.Concat(Records.NameValuePair("A", "1"), Records.NameValuePair("QUERY_STRING", "x=y")), parameters);
        Assert.Equal("body!"u8.ToArray(), RecordCollector.StreamContent(records, RecordType.Stdin, 1));
        Assert.True(records.FindLastIndex(r => r.Type == RecordType.Params) < records.FindIndex(r => r.Type == RecordType.Stdin));
    }

    [Fact]
    public async Task StartRequest_WithoutKeepConn_ClearsFlagAndClosesAfterEndRequest()
    {
        await using var connection = await ConnectionHarness.OpenAsync();
        var backend = connection.Backend;
        var response = await connection.StartAsync(ResponseReader.Request(), keep: false);
        var records = await backend.ReadRequestAsync(1);
        Assert.Equal(0, records[0].Content[2]);

        await backend.SendAsync(ScriptedBackend.Answer(1, "ok"));
        var (stdout, _, end) = await ResponseReader.ReadAllAsync(response);

        Assert.Equal("ok", stdout);
        Assert.Equal(0, end.AppStatus);
        await connection.ExpectStoppedAsync();
    }

    [Fact]
    public async Task Response_SplitAtEveryOffset_IsReassembled()
    {
        var answer = Records.Concat(
            Records.MakeRecord(RecordType.Stdout, 1, "Status: 200\r\n\r\nhello"u8, padding: 3),
            Records.MakeRecord(RecordType.Stderr, 1, "warn"u8),
            Records.MakeRecord(RecordType.Stdout, 1, []),
            Records.MakeRecord(RecordType.Stderr, 1, []),
            Records.EndRequest(1, 7));
        for (var split = 1; split < answer.Length; split++)
        {
            await using var connection = await ConnectionHarness.OpenAsync();
        var backend = connection.Backend;
            await using var _ = connection;
            var response = await connection.StartAsync(ResponseReader.Request());
            await backend.ReadRequestAsync(1);

            await backend.SendAsync(answer[..split], answer[split..]);
            var (stdout, stderr, end) = await ResponseReader.ReadAllAsync(response);

            Assert.Equal("Status: 200\r\n\r\nhello", stdout);
            Assert.Equal("warn", stderr);
            Assert.Equal(7, end.AppStatus);
        }
    }

    [Fact]
    public async Task Response_ByteByByte_IsReassembled()
    {
        await using var connection = await ConnectionHarness.OpenAsync(probe: true);
        var backend = connection.Backend;
        var response = await connection.StartAsync(ResponseReader.Request("in"));
        await backend.ReadRequestAsync(1);

        await backend.SendByteByByteAsync(Records.Concat(
            Records.MakeRecord(RecordType.GetValuesResult, 0, Records.NameValuePair("FCGI_MPXS_CONNS", "0")),
            ScriptedBackend.Answer(1, "split everywhere", appStatus: 3)));
        var (stdout, _, end) = await ResponseReader.ReadAllAsync(response);

        Assert.Equal("split everywhere", stdout);
        Assert.Equal(3, end.AppStatus);
        await connection.ExpectAsync<RequestFinished>(f => f.Reusable);
        await connection.Pool.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // MPXS_CONNS=0: no LimitChanged
    }

    [Fact]
    public async Task RecordsForInactiveIds_AreIgnored()
    {
        await using var connection = await ConnectionHarness.OpenAsync();
        var backend = connection.Backend;
        var response = await connection.StartAsync(ResponseReader.Request());
        await backend.ReadRequestAsync(1);

        await backend.SendAsync(
            Records.MakeRecord(RecordType.Stdout, 7, "not yours"u8),
            Records.EndRequest(9, 1),
            ScriptedBackend.Answer(1, "mine"));
        var (stdout, _, end) = await ResponseReader.ReadAllAsync(response);

        Assert.Equal("mine", stdout);
        Assert.Equal(ProtocolStatus.RequestComplete, end.ProtocolStatus);
        Assert.True((await connection.ExpectAsync<RequestFinished>()).Reusable);
    }

    [Fact]
    public async Task DuplicateEndRequest_IsDropped_AndTheIdIsReusedAfterTheFirst()
    {
        await using var connection = await ConnectionHarness.OpenAsync();
        var backend = connection.Backend;
        var first = await connection.StartAsync(ResponseReader.Request());
        await connection.ExpectRejectedAsync(); // one at a time until GET_VALUES says otherwise
        await backend.ReadRequestAsync(1);

        await backend.SendAsync(ScriptedBackend.Answer(1, "one", appStatus: 1),
            Records.EndRequest(1, 99), Records.MakeRecord(RecordType.Stdout, 1, "late"u8));
        var (stdout, _, end) = await ResponseReader.ReadAllAsync(first);
        Assert.Equal("one", stdout);
        Assert.Equal(1, end.AppStatus);

        var second = await connection.StartAsync(ResponseReader.Request());
        Assert.Equal(1, second.RequestId);
        await backend.ReadRequestAsync(1);
        await backend.SendAsync(ScriptedBackend.Answer(1, "two"));
        var (stdout2, _, end2) = await ResponseReader.ReadAllAsync(second);
        Assert.Equal("two", stdout2);
        Assert.Equal(0, end2.AppStatus);
    }

    [Fact]
    public async Task EofInsideRecord_FailsTheRequestWithBackendException()
    {
        await using var connection = await ConnectionHarness.OpenAsync();
        var backend = connection.Backend;
        var response = await connection.StartAsync(ResponseReader.Request());
        await backend.ReadRequestAsync(1);

        await backend.SendAsync(Records.MakeRecord(RecordType.Stdout, 1, "partial"u8)[..10]);
        await backend.CloseAsync();

        var error = await Assert.ThrowsAsync<FcgiBackendException>(() => response.Completion.WaitAsync(Wait));
        Assert.True(error.RequestStarted);
        Assert.Contains("inside a record", error.Message);
        Assert.Empty(await ResponseReader.ReadBytesAsync(response.Stdout));
        await connection.ExpectStoppedAsync();
    }

    [Fact]
    public async Task EofBeforeEndRequest_FailsTheRequest()
    {
        await using var connection = await ConnectionHarness.OpenAsync();
        var backend = connection.Backend;
        var response = await connection.StartAsync(ResponseReader.Request());
        await backend.ReadRequestAsync(1);

        await backend.SendAsync(Records.MakeRecord(RecordType.Stdout, 1, "received"u8));
        await backend.CloseAsync();

        var error = await Assert.ThrowsAsync<FcgiBackendException>(() => response.Completion.WaitAsync(Wait));
        Assert.Contains("closed the connection", error.Message);
        // Output that arrived before the failure is still delivered.
        Assert.Equal("received", await ResponseReader.ReadTextAsync(response.Stdout));
    }

    [Fact]
    public async Task NoAnswerToGetValues_StaysAtOneRequest_AndNeverPipelines()
    {
        var settings = ClientSettings.Default with { ProbeTimeout = TimeSpan.FromMilliseconds(100) };
        await using var connection = await ConnectionHarness.OpenAsync(settings, probe: true);
        var backend = connection.Backend;
        var probe = await backend.ReadAsync();
        Assert.Equal(RecordType.GetValues, probe.Type);
        Assert.Equal(0, probe.RequestId);

        var first = await connection.StartAsync(ResponseReader.Request());
        await connection.ExpectRejectedAsync();
        await backend.ReadRequestAsync(1);
        Assert.True(await backend.ReadsNothingAsync(TimeSpan.FromMilliseconds(300)));

        await backend.SendAsync(ScriptedBackend.Answer(1, "a"));
        await ResponseReader.ReadAllAsync(first);
        await connection.ExpectAsync<RequestFinished>(f => f.Reusable);
        var second = await connection.StartAsync(ResponseReader.Request());
        Assert.Equal(1, second.RequestId);
        await connection.ExpectRejectedAsync();
    }

    [Fact]
    public async Task GetValuesResult_WithMpxsConns1_RaisesLimitToMaxReqs()
    {
        await using var connection = await ConnectionHarness.OpenAsync(probe: true);
        var backend = connection.Backend;
        await backend.ReadAsync();

        await backend.SendAsync(Records.MakeRecord(RecordType.GetValuesResult, 0, Records.Concat(
            Records.NameValuePair("FCGI_MPXS_CONNS", "1"), Records.NameValuePair("FCGI_MAX_REQS", "3"))));

        Assert.Equal(3, (await connection.ExpectAsync<LimitChanged>()).Limit);
        var a = await connection.StartAsync(ResponseReader.Request("a"));
        var b = await connection.StartAsync(ResponseReader.Request("b"));
        Assert.Equal(1, a.RequestId);
        Assert.Equal(2, b.RequestId);
        await backend.ReadRequestsAsync(1, 2);
        await backend.SendAsync(ScriptedBackend.Answer(2, "B"), ScriptedBackend.Answer(1, "A"));
        Assert.Equal("A", (await ResponseReader.ReadAllAsync(a)).Stdout);
        Assert.Equal("B", (await ResponseReader.ReadAllAsync(b)).Stdout);
    }

    [Fact]
    public async Task CantMpxConn_LowersTheLimitToOne()
    {
        await using var connection = await ConnectionHarness.OpenAsync(probe: true);
        var backend = connection.Backend;
        await backend.ReadAsync();
        await backend.SendAsync(Records.MakeRecord(RecordType.GetValuesResult, 0, Records.NameValuePair("FCGI_MPXS_CONNS", "1")));
        Assert.Equal(ClientSettings.Default.MaxRequestsPerConnection, (await connection.ExpectAsync<LimitChanged>()).Limit);
        var a = await connection.StartAsync(ResponseReader.Request());
        var b = await connection.StartAsync(ResponseReader.Request());
        await backend.ReadRequestsAsync(1, 2);

        await backend.SendAsync(Records.EndRequest(2, 0, ProtocolStatus.CantMpxConn));
        var end = await b.Completion.WaitAsync(Wait);

        Assert.Equal(ProtocolStatus.CantMpxConn, end.ProtocolStatus);
        Assert.Equal(1, (await connection.ExpectAsync<LimitChanged>()).Limit);
        await connection.ExpectRejectedAsync(); // request 1 still runs: the connection is full at one
        await backend.SendAsync(ScriptedBackend.Answer(1, "A"));
        Assert.Equal("A", (await ResponseReader.ReadAllAsync(a)).Stdout);
    }

    [Fact]
    public async Task Overloaded_CompletesWithThatStatus_AndTheConnectionStaysUsable()
    {
        await using var connection = await ConnectionHarness.OpenAsync();
        var backend = connection.Backend;
        var response = await connection.StartAsync(ResponseReader.Request());
        await backend.ReadRequestAsync(1);

        await backend.SendAsync(Records.EndRequest(1, 0, ProtocolStatus.Overloaded));
        var (stdout, _, end) = await ResponseReader.ReadAllAsync(response);

        Assert.Equal("", stdout);
        Assert.Equal(ProtocolStatus.Overloaded, end.ProtocolStatus);
        Assert.True((await connection.ExpectAsync<RequestFinished>()).Reusable);
    }

    [Fact]
    public async Task BackendThatStopsReadingStdin_EndsTheRequest_AndTheConnectionIsNotReused()
    {
        await using var connection = await ConnectionHarness.OpenAsync();
        var backend = connection.Backend;
        var body = new Pipe();
        var response = await connection.StartAsync(new FcgiClientRequest { Stdin = body.Reader });
        var writing = Task.Run(async () =>
        {
            var chunk = new byte[64 * 1024];
            for (var i = 0; i < 64; i++)
            {
                var flush = await body.Writer.WriteAsync(chunk);
                if (flush.IsCompleted)
                {
                    break;
                }
            }

            await body.Writer.CompleteAsync();
        });
        await backend.ReadUntilAsync(r => r.Type == RecordType.Params && r.Content.Length == 0);

        await backend.SendAsync(ScriptedBackend.Answer(1, "too big", appStatus: 0));
        var (stdout, _, end) = await ResponseReader.ReadAllAsync(response);

        Assert.Equal("too big", stdout);
        Assert.Equal(0, end.AppStatus);
        await connection.ExpectStoppedAsync();
        await writing.WaitAsync(Wait);
    }

    [Fact]
    public async Task CancelAfterStart_SendsAbortRequest_AndEndsWithTheBackendsEndRequest()
    {
        var settings = ClientSettings.Default with { AssumeMultiplexing = true };
        await using var connection = await ConnectionHarness.OpenAsync(settings);
        var backend = connection.Backend;
        using var cts = new CancellationTokenSource();
        var response = await connection.StartAsync(ResponseReader.Request(), ct: cts.Token);
        await backend.ReadRequestAsync(1);

        await cts.CancelAsync();
        var abort = await backend.ReadAsync();
        Assert.Equal(RecordType.AbortRequest, abort.Type);
        Assert.Equal(1, abort.RequestId);

        await backend.SendAsync(Records.EndRequest(1, 0), Records.EndRequest(1, 0));
        Assert.Equal(ProtocolStatus.RequestComplete, (await response.Completion.WaitAsync(Wait)).ProtocolStatus);
        // The aborted ID rests (Go answers an abort twice): the next request takes another.
        var next = await connection.StartAsync(ResponseReader.Request());
        Assert.Equal(2, next.RequestId);
    }

    [Fact]
    public async Task AbortedRequestEnds_OnAOneAtATimeConnection_TheConnectionIsNotReused()
    {
        await using var connection = await ConnectionHarness.OpenAsync();
        var backend = connection.Backend;
        using var cts = new CancellationTokenSource();
        var response = await connection.StartAsync(ResponseReader.Request(), ct: cts.Token);
        await backend.ReadRequestAsync(1);
        await cts.CancelAsync();
        Assert.Equal(RecordType.AbortRequest, (await backend.ReadAsync()).Type);

        await backend.SendAsync(Records.EndRequest(1, 0));

        Assert.Equal(ProtocolStatus.RequestComplete, (await response.Completion.WaitAsync(Wait)).ProtocolStatus);
        Assert.False((await connection.ExpectAsync<RequestFinished>()).Reusable);
        await connection.ExpectStoppedAsync();
    }

    [Fact]
    public async Task AbortWithoutEndRequest_ClosesTheConnectionAfterTheAbortTimeout()
    {
        var settings = ClientSettings.Default with { AbortTimeout = TimeSpan.FromMilliseconds(200) };
        await using var connection = await ConnectionHarness.OpenAsync(settings);
        var backend = connection.Backend;
        var response = await connection.StartAsync(ResponseReader.Request());
        await backend.ReadRequestAsync(1);

        await response.DisposeAsync();
        Assert.Equal(RecordType.AbortRequest, (await backend.ReadAsync()).Type);

        await Assert.ThrowsAsync<FcgiBackendException>(() => response.Completion.WaitAsync(Wait));
        await connection.ExpectStoppedAsync();
    }

    [Fact]
    public async Task ApplicationSendsARequestRecordType_IsAConnectionError()
    {
        await using var connection = await ConnectionHarness.OpenAsync();
        var backend = connection.Backend;
        var response = await connection.StartAsync(ResponseReader.Request());
        await backend.ReadRequestAsync(1);

        await backend.SendAsync(Records.BeginRequest(1, Role.Responder));

        var error = await Assert.ThrowsAsync<FcgiBackendException>(() => response.Completion.WaitAsync(Wait));
        Assert.IsType<FcgiConnectionException>(error.InnerException);
    }

    [Fact]
    public async Task UnknownManagementRecordsAndUnknownType_AreIgnored()
    {
        await using var connection = await ConnectionHarness.OpenAsync(probe: true);
        var backend = connection.Backend;
        var response = await connection.StartAsync(ResponseReader.Request());
        await backend.ReadRequestAsync(1);

        await backend.SendAsync(Records.UnknownType((byte)RecordType.GetValues), Records.MakeRecord((RecordType)42, 0, "?"u8),
            Records.MakeRecord((RecordType)42, 1, "?"u8), ScriptedBackend.Answer(1, "fine"));

        Assert.Equal("fine", (await ResponseReader.ReadAllAsync(response)).Stdout);
        await connection.ExpectAsync<RequestFinished>();
        await connection.Pool.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // no LimitChanged
    }

    [Fact]
    public async Task LargeResponse_StreamsThroughTheBoundedBuffer()
    {
        await using var connection = await ConnectionHarness.OpenAsync();
        var backend = connection.Backend;
        var response = await connection.StartAsync(ResponseReader.Request());
        await backend.ReadRequestAsync(1);
        var big = new byte[3 * 1024 * 1024];
        Random.Shared.NextBytes(big);

        var sending = backend.SendAsync(Records.Stream(RecordType.Stdout, 1, big), Records.EndRequest(1, 0));
        var received = await ResponseReader.ReadBytesAsync(response.Stdout);
        await sending.WaitAsync(Wait);

        Assert.Equal(big, received);
        await response.Completion.WaitAsync(Wait);
    }

    [Fact]
    public async Task LargeEnvironment_IsSentAsPairsLargerThanOneRecord()
    {
        await using var connection = await ConnectionHarness.OpenAsync();
        var backend = connection.Backend;
        var value = new string('v', 100_000);
        await connection.StartAsync(ResponseReader.Request("", ("BIG", value), ("SMALL", "s")));

        var records = await backend.ReadRequestAsync(1);

        var parameters = RecordCollector.StreamContent(records, RecordType.Params, 1);
        Assert.Equal(Records.Concat(Records.NameValuePair("BIG", value), Records.NameValuePair("SMALL", "s")), parameters);
        Assert.All(records, r => Assert.True(r.Content.Length <= FcgiConstants.MaxContentLength));
        Assert.Equal("", Encoding.UTF8.GetString(RecordCollector.StreamContent(records, RecordType.Stdin, 1)));
    }
}
