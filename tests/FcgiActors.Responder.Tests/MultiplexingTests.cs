using System.Text;
using FcgiActors.Protocol;
using FcgiActors.Responder.Tests.Support;
using FcgiActors.Testing;

namespace FcgiActors.Responder.Tests;

/// <summary>Several requests on one connection: interleaving, limits, ABORT_REQUEST, window policy.</summary>
public sealed class MultiplexingTests
{
    [Fact]
    public async Task TwoRequests_OnOneConnection_TheSecondFinishesWhileTheFirstWaits()
    {
        var release = new TaskCompletionSource();
        await using var server = await TestServer.StartAsync(async c =>
        {
            if (c.QueryString == "slow")
            {
                await release.Task.WaitAsync(TimeSpan.FromSeconds(10));
            }

            await c.Output.WriteAsync(Encoding.ASCII.GetBytes("id " + c.RequestId));
        });
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Get("slow")), TestServer.Request(2, TestServer.Get("fast")));

        var second = await connection.ReadUntilEndAsync(2);
        release.SetResult();
        var first = await connection.ReadUntilEndAsync(1);

        Assert.Equal("id 2", Responses.Stdout(second, 2));
        Assert.Equal("id 1", Responses.Stdout(first, 1));
    }

    [Fact]
    public async Task ManyRequests_Interleaved_AllComplete_WithTheirOwnBodies()
    {
        await using var server = await TestServer.StartAsync(EchoHandler.HandleAsync);
        await using var connection = await server.ConnectAsync();
        var bodies = Enumerable.Range(1, 20).Select(i => Encoding.ASCII.GetBytes(new string((char)('a' + i), 70_000 + i))).ToArray();
        var begins = Enumerable.Range(1, 20).Select(i => Records.Concat(
            Records.BeginRequest((ushort)i, Role.Responder, BeginRequestFlags.KeepConn),
            Records.Params((ushort)i, TestServer.Post(bodies[i - 1].Length)))).ToArray();
        await connection.SendAsync(begins);
        // Interleave the bodies record by record, as a multiplexing client does.
        for (var offset = 0; offset < 80_000; offset += 16_000)
        {
            for (var i = 1; i <= 20; i++)
            {
                var body = bodies[i - 1];
                if (offset < body.Length)
                {
                    await connection.SendAsync(Records.MakeRecord(RecordType.Stdin, (ushort)i, body.AsSpan(offset, Math.Min(16_000, body.Length - offset))));
                }
            }
        }

        await connection.SendAsync(Enumerable.Range(1, 20).Select(i => Records.MakeRecord(RecordType.Stdin, (ushort)i, [])).ToArray());
        var records = new List<CollectedRecord>();
        for (var ended = 0; ended < 20;)
        {
            var record = await connection.ReadRecordAsync();
            records.Add(record!);
            ended += record!.Type == RecordType.EndRequest ? 1 : 0;
        }

        for (var i = 1; i <= 20; i++)
        {
            Assert.EndsWith(Encoding.ASCII.GetString(bodies[i - 1]), Responses.Stdout(records, (ushort)i));
            Responses.EndIsLast(records, (ushort)i);
        }
    }

    [Fact]
    public async Task MultiplexingOff_ASecondConcurrentRequest_GetsCantMpxConn()
    {
        var release = new TaskCompletionSource();
        var settings = ResponderSettings.Default with { Multiplexing = false };
        await using var server = await TestServer.StartAsync(async c => await release.Task.WaitAsync(TimeSpan.FromSeconds(10)), settings);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()), TestServer.Request(2, TestServer.Get()));

        var refused = await connection.ReadUntilEndAsync(2);
        release.SetResult();

        Assert.Equal(ProtocolStatus.CantMpxConn, Responses.SingleEnd(refused, 2).ProtocolStatus);
        Assert.Equal(ProtocolStatus.RequestComplete, Responses.SingleEnd(await connection.ReadUntilEndAsync(1), 1).ProtocolStatus);
    }

    [Fact]
    public async Task RequestsBeyondThePerConnectionLimit_GetOverloaded()
    {
        var release = new TaskCompletionSource();
        var settings = ResponderSettings.Default with { MaxRequestsPerConnection = 2 };
        await using var server = await TestServer.StartAsync(async c => await release.Task.WaitAsync(TimeSpan.FromSeconds(10)), settings);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()), TestServer.Request(2, TestServer.Get()), TestServer.Request(3, TestServer.Get()));

        var refused = await connection.ReadUntilEndAsync(3);
        release.SetResult();

        Assert.Equal(ProtocolStatus.Overloaded, Responses.SingleEnd(refused, 3).ProtocolStatus);
        Assert.StartsWith("Status: 503", Responses.Stdout(refused, 3));
    }

    [Fact]
    public async Task RequestsBeyondTheServerLimit_GetOverloadedWithStatus503_OnAnotherConnection()
    {
        var release = new TaskCompletionSource();
        var settings = ResponderSettings.Default with { MaxConcurrentRequests = 1 };
        await using var server = await TestServer.StartAsync(async c => await release.Task.WaitAsync(TimeSpan.FromSeconds(10)), settings);
        await using var first = await server.ConnectAsync();
        await using var second = await server.ConnectAsync();
        await first.SendAsync(TestServer.Request(1, TestServer.Get()));
        await WaitUntilAsync(() => server.Server.ActiveRequests == 1);
        await second.SendAsync(TestServer.Request(1, TestServer.Get()));

        var refused = await second.ReadUntilEndAsync(1);
        release.SetResult();

        Assert.Equal(ProtocolStatus.Overloaded, Responses.SingleEnd(refused, 1).ProtocolStatus);
        Assert.StartsWith("Status: 503", Responses.Stdout(refused, 1));
        Assert.Equal(ProtocolStatus.RequestComplete, Responses.SingleEnd(await first.ReadUntilEndAsync(1), 1).ProtocolStatus);
    }

    [Fact]
    public async Task Abort_WhileTheHandlerWrites_CancelsIt_OneEndRequest_NothingAfter()
    {
        var cancelled = new TaskCompletionSource();
        var wrote = new TaskCompletionSource();
        await using var server = await TestServer.StartAsync(async c =>
        {
            try
            {
                while (true)
                {
                    await c.Output.WriteAsync(new byte[1000], c.Aborted);
                    wrote.TrySetResult();
                    await Task.Delay(5, c.Aborted);
                }
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
                // Output after the abort must never reach the wire.
                await c.Output.WriteAsync(new byte[100]);
                throw;
            }
        });
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Get()));
        await wrote.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await connection.SendAsync(Records.AbortRequest(1));

        var records = await connection.ReadUntilEndAsync(1);
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(ProtocolStatus.RequestComplete, Responses.SingleEnd(records, 1).ProtocolStatus);
        Assert.True(await connection.ExpectNothingAsync(TimeSpan.FromMilliseconds(300)));
        // The ID is free again and the connection still serves.
        await connection.SendAsync(Records.BeginRequest(1, Role.Responder, BeginRequestFlags.KeepConn), Records.AbortRequest(1));
        Assert.Single(await connection.ReadUntilEndAsync(1), r => r.Type == RecordType.EndRequest);
    }

    [Fact]
    public async Task Abort_MidStdin_TheHandlersReadFailsAndOneEndRequestIsSent()
    {
        var readFailed = new TaskCompletionSource<Exception>();
        await using var server = await TestServer.StartAsync(async c =>
        {
            try { await c.BodyStream.CopyToAsync(Stream.Null); } catch (Exception e) { readFailed.TrySetResult(e); throw; }
        });
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(
            Records.BeginRequest(1, Role.Responder, BeginRequestFlags.KeepConn),
            Records.Params(1, TestServer.Post(1000)),
            Records.MakeRecord(RecordType.Stdin, 1, new byte[10]),
            Records.AbortRequest(1));

        var records = await connection.ReadUntilEndAsync(1);

        Assert.Single(records, r => r.Type == RecordType.EndRequest);
        Assert.IsAssignableFrom<OperationCanceledException>(await readFailed.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(await connection.ExpectNothingAsync(TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Abort_BeforeParamsComplete_EndsTheRequestWithoutRunningTheHandler()
    {
        var ran = false;
        await using var server = await TestServer.StartAsync(c => { ran = true; return Task.CompletedTask; });
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(Records.BeginRequest(1, Role.Responder, BeginRequestFlags.KeepConn), Records.AbortRequest(1));

        var records = await connection.ReadUntilEndAsync(1);

        Assert.Single(records);
        Assert.False(ran);
    }

    [Fact]
    public async Task FailPolicy_AHandlerNotReadingItsBody_DoesNotStallAnotherRequestOnTheConnection()
    {
        var settings = ResponderSettings.Default with { StdinWindow = 65_535, WindowPolicy = StdinWindowPolicy.FailRequest };
        await using var server = await TestServer.StartAsync(async c =>
        {
            if (c.QueryString == "stuck")
            {
                // Never reads its body. (It may not even start: the window can fill first.)
                await Task.Delay(Timeout.Infinite, c.Aborted);
            }

            await EchoHandler.HandleAsync(c);
        }, settings);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(
            Records.BeginRequest(1, Role.Responder, BeginRequestFlags.KeepConn), Records.Params(1, TestServer.Post(1_000_000, "stuck")),
            Records.BeginRequest(2, Role.Responder, BeginRequestFlags.KeepConn), Records.Params(2, TestServer.Post(3)));
        for (var i = 0; i < 8; i++)
        {
            await connection.SendAsync(Records.MakeRecord(RecordType.Stdin, 1, new byte[60_000]));
        }

        await connection.SendAsync(Records.Stream(RecordType.Stdin, 2, "abc"u8.ToArray()));
        var records = new List<CollectedRecord>();
        while (records.Count(r => r.Type == RecordType.EndRequest) < 2)
        {
            records.Add((await connection.ReadRecordAsync())!);
        }

        Assert.EndsWith("abc", Responses.Stdout(records, 2));
        Assert.Equal(1, Responses.SingleEnd(records, 1).AppStatus);
        await MultiplexingTests.WaitUntilAsync(() => server.Server.ActiveRequests == 0);
    }

    [Fact]
    public async Task PausePolicy_AloneOnItsConnection_ASlowReaderGetsItsWholeBody()
    {
        var settings = ResponderSettings.Default with { StdinWindow = 65_535, WindowPolicy = StdinWindowPolicy.FailRequest };
        await using var server = await TestServer.StartAsync(async c =>
        {
            await Task.Delay(300);
            await EchoHandler.HandleAsync(c);
        }, settings);
        await using var connection = await server.ConnectAsync();
        var body = new byte[1_000_000];
        new Random(1).NextBytes(body);
        var sending = connection.SendAsync(TestServer.Request(1, TestServer.Post(body.Length), body));

        var records = await connection.ReadUntilEndAsync(1);
        await sending;

        var stdout = RecordCollector.StreamContent(records, RecordType.Stdout, 1);
        Assert.Equal(body, stdout[^body.Length..]);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (!condition())
        {
            await Task.Delay(10, cts.Token);
        }
    }
}
