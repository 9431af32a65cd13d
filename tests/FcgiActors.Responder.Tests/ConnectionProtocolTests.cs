using System.Buffers;
using System.Text;
using FcgiActors.Protocol;
using FcgiActors.Responder.Tests.Support;
using FcgiActors.Testing;

namespace FcgiActors.Responder.Tests;

/// <summary>The record-level rules of FASTCGI-NOTES.md, against a real server over loopback.</summary>
public sealed class ConnectionProtocolTests
{
    private static Task Hello(FcgiRequestContext context)
    {
        context.Output.Write("Content-Type: text/plain\r\n\r\nhello"u8);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Request_Get_SendsStdoutThenOneEmptyStdoutThenEndRequest()
    {
        await using var server = await TestServer.StartAsync(Hello);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()));

        var records = await connection.ReadUntilEndAsync(1);

        Assert.Equal("Content-Type: text/plain\r\n\r\nhello", Responses.Stdout(records, 1));
        Assert.Equal(new EndRequestBody(0, ProtocolStatus.RequestComplete), Responses.SingleEnd(records, 1));
        Responses.EndIsLast(records, 1);
        Assert.All(records, r => Assert.Equal(RecordHeader.PaddingFor(r.Header.ContentLength), r.Header.PaddingLength));
    }

    [Fact]
    public async Task Request_SentOneByteAtATime_IsServed()
    {
        await using var server = await TestServer.StartAsync(EchoHandler.HandleAsync);
        await using var connection = await server.ConnectAsync();
        await connection.SendByteByByteAsync(TestServer.Request(1, TestServer.Post(5), "abcde"u8.ToArray()));

        var records = await connection.ReadUntilEndAsync(1);

        Assert.EndsWith("content_length=5\nabcde", Responses.Stdout(records, 1));
    }

    [Fact]
    public async Task GetValues_RepeatedAndUnknownNames_AnswersEachKnownVariableOnce()
    {
        var settings = ResponderSettings.Default with { MaxConnections = 7, MaxRequestsPerConnection = 3 };
        await using var server = await TestServer.StartAsync(Hello, settings);
        await using var connection = await server.ConnectAsync();
        var query = Records.Concat(
            Records.NameValuePair("FCGI_MAX_CONNS", ""), Records.NameValuePair("FCGI_MAX_CONNS", ""),
            Records.NameValuePair("NOT_A_VARIABLE", ""), Records.NameValuePair("FCGI_MPXS_CONNS", ""),
            Records.NameValuePair("FCGI_MAX_REQS", ""), Records.NameValuePair("FCGI_MAX_REQS", ""));
        await connection.SendAsync(Records.MakeRecord(RecordType.GetValues, 0, query));

        var record = await connection.ReadRecordAsync();

        Assert.NotNull(record);
        Assert.Equal(RecordType.GetValuesResult, record.Type);
        Assert.Equal(0, record.RequestId);
        var expected = Records.Concat(
            Records.NameValuePair("FCGI_MAX_CONNS", "7"), Records.NameValuePair("FCGI_MPXS_CONNS", "1"), Records.NameValuePair("FCGI_MAX_REQS", "3"));
        Assert.Equal(expected, record.Content);
    }

    [Fact]
    public async Task GetValues_WhileARequestRuns_IsAnsweredAtOnce()
    {
        var release = new TaskCompletionSource();
        await using var server = await TestServer.StartAsync(async c => await release.Task.WaitAsync(c.Aborted));
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()));
        await connection.SendAsync(Records.MakeRecord(RecordType.GetValues, 0, Records.NameValuePair("FCGI_MPXS_CONNS", "")));

        var record = await connection.ReadRecordAsync(TimeSpan.FromSeconds(5));
        release.SetResult();

        Assert.Equal(RecordType.GetValuesResult, record!.Type);
        Assert.Equal(RecordType.EndRequest, (await connection.ReadUntilEndAsync(1))[^1].Type);
    }

    [Fact]
    public async Task UnknownManagementType_RepliesUnknownType_AndTheConnectionStaysUsable()
    {
        await using var server = await TestServer.StartAsync(Hello);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(Records.MakeRecord((RecordType)99, 0, [1, 2, 3]));

        var record = await connection.ReadRecordAsync();

        Assert.Equal(RecordType.UnknownType, record!.Type);
        Assert.Equal(99, UnknownTypeBody.Parse(record.Content).Type);
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()));
        Assert.Equal("Content-Type: text/plain\r\n\r\nhello", Responses.Stdout(await connection.ReadUntilEndAsync(1), 1));
    }

    [Fact]
    public async Task ApplicationRecordOnRequestIdZero_ClosesTheConnection()
    {
        await using var server = await TestServer.StartAsync(Hello);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(Records.MakeRecord(RecordType.Stdin, 0, "x"u8));

        Assert.Empty(await connection.ReadToCloseAsync());
    }

    [Fact]
    public async Task BadVersion_ClosesTheConnection()
    {
        await using var server = await TestServer.StartAsync(Hello);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(Records.MakeRecord(RecordType.BeginRequest, 1, new byte[8], version: 2));

        Assert.Empty(await connection.ReadToCloseAsync());
    }

    [Fact]
    public async Task BeginRequest_ForActiveId_ClosesTheConnection()
    {
        var started = new TaskCompletionSource();
        var cancelled = new TaskCompletionSource();
        await using var server = await TestServer.StartAsync(async c =>
        {
            started.TrySetResult();
            try { await Task.Delay(Timeout.Infinite, c.Aborted); } catch (OperationCanceledException) { cancelled.TrySetResult(); }
        });
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await connection.SendAsync(Records.BeginRequest(1, Role.Responder, BeginRequestFlags.KeepConn));

        Assert.DoesNotContain(await connection.ReadToCloseAsync(), r => r.Type == RecordType.Stdout && r.Content.Length > 0);
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task RecordsForInactiveIds_AreIgnored()
    {
        await using var server = await TestServer.StartAsync(Hello);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(
            Records.Params(7, ("A", "B")), Records.MakeRecord(RecordType.Stdin, 7, "body"u8), Records.AbortRequest(8),
            Records.MakeRecord(RecordType.Data, 9, "d"u8), Records.MakeRecord((RecordType)77, 3, "?"u8));
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()));

        var records = await connection.ReadUntilEndAsync(1);

        Assert.All(records, r => Assert.Equal(1, r.RequestId));
    }

    [Fact]
    public async Task UnknownRole_EndsWithUnknownRole_AndTheConnectionStaysUsable()
    {
        await using var server = await TestServer.StartAsync(Hello);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(Records.BeginRequest(1, (Role)9, BeginRequestFlags.KeepConn));

        var records = await connection.ReadUntilEndAsync(1);

        Assert.Equal(ProtocolStatus.UnknownRole, Responses.SingleEnd(records, 1).ProtocolStatus);
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()));
        Assert.Equal(ProtocolStatus.RequestComplete, Responses.SingleEnd(await connection.ReadUntilEndAsync(1), 1).ProtocolStatus);
    }

    [Fact]
    public async Task KeepConnCleared_ClosesAfterTheResponse()
    {
        await using var server = await TestServer.StartAsync(Hello);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Get(), flags: BeginRequestFlags.None));

        var records = await connection.ReadToCloseAsync();

        Assert.Equal("Content-Type: text/plain\r\n\r\nhello", Responses.Stdout(records, 1));
        Responses.EndIsLast(records, 1);
    }

    [Fact]
    public async Task KeepConnCleared_WithAnUnreadBody_ClosesWithFinSoTheWholeAnswerArrives()
    {
        var big = new string('y', 200_000);
        await using var server = await TestServer.StartAsync(async c =>
        {
            await c.Output.WriteAsync(Encoding.ASCII.GetBytes("Status: 413\r\n\r\n" + big));
        });
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(Records.BeginRequest(1, Role.Responder), Records.Params(1, TestServer.Post(3_000_000)));
        var sending = Task.Run(async () =>
        {
            try
            {
                var chunk = Records.MakeRecord(RecordType.Stdin, 1, new byte[60_000]);
                for (var i = 0; i < 50; i++)
                {
                    await connection.SendAsync(chunk);
                }
            }
            catch (IOException)
            {
            }
        });

        var records = await connection.ReadToCloseAsync();

        Assert.EndsWith(big, Responses.Stdout(records, 1));
        Responses.EndIsLast(records, 1);
        await sending.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ParamsPairStraddlingRecords_IsReassembled()
    {
        FcgiParams? seen = null;
        await using var server = await TestServer.StartAsync(c => { seen = c.Params; return Hello(c); });
        await using var connection = await server.ConnectAsync();
        var pairs = Records.Concat(Records.NameValuePair("QUERY_STRING", "a=1"), Records.NameValuePair("LONG", new string('v', 300)));
        await connection.SendAsync(
            Records.BeginRequest(1, Role.Responder, BeginRequestFlags.KeepConn),
            Records.MakeRecord(RecordType.Params, 1, pairs.AsSpan(0, 20)),
            Records.MakeRecord(RecordType.Params, 1, pairs.AsSpan(20)),
            Records.MakeRecord(RecordType.Params, 1, []),
            Records.Stream(RecordType.Stdin, 1, []));

        await connection.ReadUntilEndAsync(1);

        Assert.Equal("a=1", seen!.Get("QUERY_STRING"));
        Assert.Equal(new string('v', 300), seen.Get("LONG"));
        Assert.Equal(2, seen.Count);
    }

    [Fact]
    public async Task ParamsBeyondTheLimit_FailTheRequest_AndTheConnectionStaysUsable()
    {
        var settings = ResponderSettings.Default with { ParamsLimits = new NameValueLimits(64, 64, 1024, 10) };
        var ran = 0;
        await using var server = await TestServer.StartAsync(c => { Interlocked.Increment(ref ran); return Hello(c); }, settings);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, [("HUGE", new string('v', 100))]));

        var failed = await connection.ReadUntilEndAsync(1);
        await connection.SendAsync(TestServer.Request(2, TestServer.Get()));
        var served = await connection.ReadUntilEndAsync(2);

        Assert.Equal(1, Responses.SingleEnd(failed, 1).AppStatus);
        Assert.Equal(0, Responses.SingleEnd(served, 2).AppStatus);
        Assert.Equal(1, ran);
    }

    [Fact]
    public async Task LargeOutput_IsSplitIntoRecordsOfAtMost65535Bytes()
    {
        var body = new byte[1_000_000];
        new Random(5).NextBytes(body);
        await using var server = await TestServer.StartAsync(async c => await c.Output.WriteAsync(body));
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()));

        var records = await connection.ReadUntilEndAsync(1);

        Assert.Equal(body, RecordCollector.StreamContent(records, RecordType.Stdout, 1));
        Assert.All(records, r => Assert.True(r.Header.ContentLength + r.Header.PaddingLength <= 65535));
    }

    [Fact]
    public async Task Stderr_IsSentAsStderrRecords_ClosedBeforeEndRequest()
    {
        await using var server = await TestServer.StartAsync(async c =>
        {
            await c.Error.WriteAsync("warning"u8.ToArray());
            await Hello(c);
        });
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()));

        var records = await connection.ReadUntilEndAsync(1);

        Assert.Equal("warning"u8.ToArray(), RecordCollector.StreamContent(records, RecordType.Stderr, 1));
        Responses.EndIsLast(records, 1);
    }

    [Fact]
    public async Task HandlerThrowsAfterPartialOutput_SendsTheOutputThenEndRequestWithAppStatus1()
    {
        await using var server = await TestServer.StartAsync(async c =>
        {
            await c.Output.WriteAsync("Content-Type: text/plain\r\n\r\npartial"u8.ToArray());
            throw new InvalidOperationException("boom");
        });
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()));

        var records = await connection.ReadUntilEndAsync(1);

        Assert.EndsWith("partial", Responses.Stdout(records, 1));
        Assert.Equal(1, Responses.SingleEnd(records, 1).AppStatus);
    }

    [Fact]
    public async Task HandlerThrowsBeforeOutput_SendsStatus500()
    {
        await using var server = await TestServer.StartAsync(_ => throw new InvalidOperationException("boom"));
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()));

        var records = await connection.ReadUntilEndAsync(1);

        Assert.StartsWith("Status: 500", Responses.Stdout(records, 1));
        Assert.Equal(1, Responses.SingleEnd(records, 1).AppStatus);
    }

    [Fact]
    public async Task AppStatusSetByTheHandler_IsSentInEndRequest()
    {
        await using var server = await TestServer.StartAsync(c => { c.AppStatus = 42; return Task.CompletedTask; });
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()));

        Assert.Equal(42, Responses.SingleEnd(await connection.ReadUntilEndAsync(1), 1).AppStatus);
    }

    [Fact]
    public async Task ShortBody_TheHandlerSeesAnError()
    {
        Exception? seen = null;
        await using var server = await TestServer.StartAsync(async c =>
        {
            try { await c.BodyStream.CopyToAsync(Stream.Null); } catch (IOException e) { seen = e; }
        });
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Post(10), "abc"u8.ToArray()));

        await connection.ReadUntilEndAsync(1);

        Assert.Contains("3 of the 10", seen?.Message);
    }

    [Fact]
    public async Task FilterRole_ReadsStdinThenData()
    {
        await using var server = await TestServer.StartAsync(async c =>
        {
            var stdin = await ReadAllAsync(c.BodyStream);
            var data = await ReadAllAsync(c.Data.AsStream());
            await c.Output.WriteAsync(Encoding.ASCII.GetBytes($"{c.Role} {stdin} {data} {c.Params.Get("FCGI_DATA_LENGTH")}"));
        });
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(
            Records.BeginRequest(1, Role.Filter, BeginRequestFlags.KeepConn),
            Records.Params(1, ("FCGI_DATA_LENGTH", "4"), ("FCGI_DATA_LAST_MOD", "0")),
            Records.Stream(RecordType.Stdin, 1, "in"u8.ToArray()),
            Records.Stream(RecordType.Data, 1, "file"u8.ToArray()));

        Assert.Equal("Filter in file 4", Responses.Stdout(await connection.ReadUntilEndAsync(1), 1));
    }

    [Fact]
    public async Task AuthorizerRole_IsServed()
    {
        await using var server = await TestServer.StartAsync(async c =>
            await c.Output.WriteAsync(Encoding.ASCII.GetBytes($"Status: 200\r\nVariable-USER: {c.Role}\r\n\r\n")));
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Get(), role: Role.Authorizer));

        Assert.Contains("Variable-USER: Authorizer", Responses.Stdout(await connection.ReadUntilEndAsync(1), 1));
    }

    internal static async Task<string> ReadAllAsync(Stream stream)
    {
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
