using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using FcgiActors.Client.Tests.Support;
using FcgiActors.Protocol;
using FcgiActors.Testing;

namespace FcgiActors.Client.Tests;

public sealed class BackendConnectionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static FcgiResponse Start(BackendConnection connection, FcgiClientRequest request, bool keep = true, CancellationToken ct = default)
    {
        Assert.True(connection.TryReserve(), "the connection should have a free slot");
        return connection.StartRequest(request, keep, ct);
    }

    [Fact]
    public async Task StartRequest_SendsBeginParamsAndStdin_InSpecOrder()
    {
        var (connection, backend) = ScriptedBackend.Create();
        await using var _ = connection;
        Start(connection, ResponseReader.Request("body!", ("A", "1"), ("QUERY_STRING", "x=y")));

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
        var (connection, backend) = ScriptedBackend.Create();
        var response = Start(connection, ResponseReader.Request(), keep: false);
        var records = await backend.ReadRequestAsync(1);
        Assert.Equal(0, records[0].Content[2]);

        await backend.SendAsync(ScriptedBackend.Answer(1, "ok"));
        var (stdout, _, end) = await ResponseReader.ReadAllAsync(response);

        Assert.Equal("ok", stdout);
        Assert.Equal(0, end.AppStatus);
        await connection.Closed.WaitAsync(Wait);
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
            var (connection, backend) = ScriptedBackend.Create();
            await using var _ = connection;
            var response = Start(connection, ResponseReader.Request());
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
        var (connection, backend) = ScriptedBackend.Create(probe: true);
        await using var _ = connection;
        var response = Start(connection, ResponseReader.Request("in"));
        await backend.ReadRequestAsync(1);

        await backend.SendByteByByteAsync(Records.Concat(
            Records.MakeRecord(RecordType.GetValuesResult, 0, Records.NameValuePair("FCGI_MPXS_CONNS", "0")),
            ScriptedBackend.Answer(1, "split everywhere", appStatus: 3)));
        var (stdout, _, end) = await ResponseReader.ReadAllAsync(response);

        Assert.Equal("split everywhere", stdout);
        Assert.Equal(3, end.AppStatus);
        Assert.Equal(1, connection.Limit);
    }

    [Fact]
    public async Task RecordsForInactiveIds_AreIgnored()
    {
        var (connection, backend) = ScriptedBackend.Create();
        await using var _ = connection;
        var response = Start(connection, ResponseReader.Request());
        await backend.ReadRequestAsync(1);

        await backend.SendAsync(
            Records.MakeRecord(RecordType.Stdout, 7, "not yours"u8),
            Records.EndRequest(9, 1),
            ScriptedBackend.Answer(1, "mine"));
        var (stdout, _, end) = await ResponseReader.ReadAllAsync(response);

        Assert.Equal("mine", stdout);
        Assert.Equal(ProtocolStatus.RequestComplete, end.ProtocolStatus);
        Assert.False(connection.IsClosed);
    }

    [Fact]
    public async Task DuplicateEndRequest_IsDropped_AndTheIdIsReusedAfterTheFirst()
    {
        var (connection, backend) = ScriptedBackend.Create();
        await using var _ = connection;
        var first = Start(connection, ResponseReader.Request());
        Assert.False(connection.TryReserve()); // one at a time until GET_VALUES says otherwise
        await backend.ReadRequestAsync(1);

        await backend.SendAsync(ScriptedBackend.Answer(1, "one", appStatus: 1),
            Records.EndRequest(1, 99), Records.MakeRecord(RecordType.Stdout, 1, "late"u8));
        var (stdout, _, end) = await ResponseReader.ReadAllAsync(first);
        Assert.Equal("one", stdout);
        Assert.Equal(1, end.AppStatus);

        var second = Start(connection, ResponseReader.Request());
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
        var (connection, backend) = ScriptedBackend.Create();
        var response = Start(connection, ResponseReader.Request());
        await backend.ReadRequestAsync(1);

        await backend.SendAsync(Records.MakeRecord(RecordType.Stdout, 1, "partial"u8)[..10]);
        await backend.CloseAsync();

        var error = await Assert.ThrowsAsync<FcgiBackendException>(() => response.Completion.WaitAsync(Wait));
        Assert.True(error.RequestStarted);
        Assert.Contains("inside a record", error.Message);
        Assert.Empty(await ResponseReader.ReadBytesAsync(response.Stdout));
        Assert.True(connection.IsClosed);
    }

    [Fact]
    public async Task EofBeforeEndRequest_FailsTheRequest()
    {
        var (connection, backend) = ScriptedBackend.Create();
        var response = Start(connection, ResponseReader.Request());
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
        var (connection, backend) = ScriptedBackend.Create(settings, probe: true);
        await using var _ = connection;
        var probe = await backend.ReadAsync();
        Assert.Equal(RecordType.GetValues, probe.Type);
        Assert.Equal(0, probe.RequestId);

        var first = Start(connection, ResponseReader.Request());
        Assert.False(connection.TryReserve());
        await backend.ReadRequestAsync(1);
        Assert.True(await backend.ReadsNothingAsync(TimeSpan.FromMilliseconds(300)));

        await backend.SendAsync(ScriptedBackend.Answer(1, "a"));
        await ResponseReader.ReadAllAsync(first);
        Assert.Equal(1, connection.Limit);
        Assert.True(connection.TryReserve());
        connection.CancelReservation();
    }

    [Fact]
    public async Task GetValuesResult_WithMpxsConns1_RaisesLimitToMaxReqs()
    {
        var (connection, backend) = ScriptedBackend.Create(probe: true);
        await using var _ = connection;
        await backend.ReadAsync();

        await backend.SendAsync(Records.MakeRecord(RecordType.GetValuesResult, 0, Records.Concat(
            Records.NameValuePair("FCGI_MPXS_CONNS", "1"), Records.NameValuePair("FCGI_MAX_REQS", "3"))));

        await WaitUntilAsync(() => connection.Limit == 3);
        var a = Start(connection, ResponseReader.Request("a"));
        var b = Start(connection, ResponseReader.Request("b"));
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
        var (connection, backend) = ScriptedBackend.Create(probe: true);
        await using var _ = connection;
        await backend.ReadAsync();
        await backend.SendAsync(Records.MakeRecord(RecordType.GetValuesResult, 0, Records.NameValuePair("FCGI_MPXS_CONNS", "1")));
        await WaitUntilAsync(() => connection.Limit > 1);
        var a = Start(connection, ResponseReader.Request());
        var b = Start(connection, ResponseReader.Request());
        await backend.ReadRequestsAsync(1, 2);

        await backend.SendAsync(Records.EndRequest(2, 0, ProtocolStatus.CantMpxConn));
        var end = await b.Completion.WaitAsync(Wait);

        Assert.Equal(ProtocolStatus.CantMpxConn, end.ProtocolStatus);
        Assert.Equal(1, connection.Limit);
        Assert.False(connection.TryReserve());
        await backend.SendAsync(ScriptedBackend.Answer(1, "A"));
        Assert.Equal("A", (await ResponseReader.ReadAllAsync(a)).Stdout);
    }

    [Fact]
    public async Task Overloaded_CompletesWithThatStatus_AndTheConnectionStaysUsable()
    {
        var (connection, backend) = ScriptedBackend.Create();
        await using var _ = connection;
        var response = Start(connection, ResponseReader.Request());
        await backend.ReadRequestAsync(1);

        await backend.SendAsync(Records.EndRequest(1, 0, ProtocolStatus.Overloaded));
        var (stdout, _, end) = await ResponseReader.ReadAllAsync(response);

        Assert.Equal("", stdout);
        Assert.Equal(ProtocolStatus.Overloaded, end.ProtocolStatus);
        Assert.True(connection.TryReserve());
        connection.CancelReservation();
    }

    [Fact]
    public async Task BackendThatStopsReadingStdin_EndsTheRequest_AndTheConnectionIsNotReused()
    {
        var (connection, backend) = ScriptedBackend.Create();
        var body = new Pipe();
        var response = Start(connection, new FcgiClientRequest { Stdin = body.Reader });
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
        await connection.Closed.WaitAsync(Wait);
        await writing.WaitAsync(Wait);
    }

    [Fact]
    public async Task CancelAfterStart_SendsAbortRequest_AndEndsWithTheBackendsEndRequest()
    {
        var (connection, backend) = ScriptedBackend.Create();
        await using var _ = connection;
        using var cts = new CancellationTokenSource();
        var response = Start(connection, ResponseReader.Request(), ct: cts.Token);
        await backend.ReadRequestAsync(1);

        await cts.CancelAsync();
        var abort = await backend.ReadAsync();
        Assert.Equal(RecordType.AbortRequest, abort.Type);
        Assert.Equal(1, abort.RequestId);

        await backend.SendAsync(Records.EndRequest(1, 0), Records.EndRequest(1, 0));
        Assert.Equal(ProtocolStatus.RequestComplete, (await response.Completion.WaitAsync(Wait)).ProtocolStatus);
        // The aborted ID rests (Go answers an abort twice): the next request takes another.
        var next = Start(connection, ResponseReader.Request());
        Assert.Equal(2, next.RequestId);
    }

    [Fact]
    public async Task AbortWithoutEndRequest_ClosesTheConnectionAfterTheAbortTimeout()
    {
        var settings = ClientSettings.Default with { AbortTimeout = TimeSpan.FromMilliseconds(200) };
        var (connection, backend) = ScriptedBackend.Create(settings);
        var response = Start(connection, ResponseReader.Request());
        await backend.ReadRequestAsync(1);

        await response.DisposeAsync();
        Assert.Equal(RecordType.AbortRequest, (await backend.ReadAsync()).Type);

        await Assert.ThrowsAsync<FcgiBackendException>(() => response.Completion.WaitAsync(Wait));
        Assert.True(connection.IsClosed);
    }

    [Fact]
    public async Task ApplicationSendsARequestRecordType_IsAConnectionError()
    {
        var (connection, backend) = ScriptedBackend.Create();
        var response = Start(connection, ResponseReader.Request());
        await backend.ReadRequestAsync(1);

        await backend.SendAsync(Records.BeginRequest(1, Role.Responder));

        var error = await Assert.ThrowsAsync<FcgiBackendException>(() => response.Completion.WaitAsync(Wait));
        Assert.IsType<FcgiConnectionException>(error.InnerException);
    }

    [Fact]
    public async Task UnknownManagementRecordsAndUnknownType_AreIgnored()
    {
        var (connection, backend) = ScriptedBackend.Create(probe: true);
        await using var _ = connection;
        var response = Start(connection, ResponseReader.Request());
        await backend.ReadRequestAsync(1);

        await backend.SendAsync(Records.UnknownType((byte)RecordType.GetValues), Records.MakeRecord((RecordType)42, 0, "?"u8),
            Records.MakeRecord((RecordType)42, 1, "?"u8), ScriptedBackend.Answer(1, "fine"));

        Assert.Equal("fine", (await ResponseReader.ReadAllAsync(response)).Stdout);
        Assert.Equal(1, connection.Limit);
    }

    [Fact]
    public async Task LargeResponse_StreamsThroughTheBoundedBuffer()
    {
        var (connection, backend) = ScriptedBackend.Create();
        await using var _ = connection;
        var response = Start(connection, ResponseReader.Request());
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
        var (connection, backend) = ScriptedBackend.Create();
        await using var _ = connection;
        var value = new string('v', 100_000);
        Start(connection, ResponseReader.Request("", ("BIG", value), ("SMALL", "s")));

        var records = await backend.ReadRequestAsync(1);

        var parameters = RecordCollector.StreamContent(records, RecordType.Params, 1);
        Assert.Equal(Records.Concat(Records.NameValuePair("BIG", value), Records.NameValuePair("SMALL", "s")), parameters);
        Assert.All(records, r => Assert.True(r.Content.Length <= FcgiConstants.MaxContentLength));
        Assert.Equal("", Encoding.UTF8.GetString(RecordCollector.StreamContent(records, RecordType.Stdin, 1)));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(Wait);
        while (!condition())
        {
            await Task.Delay(10, cts.Token);
        }
    }
}
