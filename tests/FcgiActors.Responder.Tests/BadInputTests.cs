using System.Buffers.Binary;
using FcgiActors.Protocol;
using FcgiActors.Responder.Tests.Support;
using FcgiActors.Testing;

namespace FcgiActors.Responder.Tests;

/// <summary>Every bad input of FASTCGI-NOTES.md gets a defined outcome.</summary>
public sealed class BadInputTests
{
    private static Task Hello(FcgiRequestContext c) => c.Output.WriteAsync("hello"u8.ToArray()).AsTask();

    [Fact]
    public async Task BeginRequest_WithContentLengthNot8_ClosesTheConnection()
    {
        await using var server = await TestServer.StartAsync(Hello);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(Records.MakeRecord(RecordType.BeginRequest, 1, new byte[16]));

        Assert.Empty(await connection.ReadToCloseAsync());
    }

    [Fact]
    public async Task ParamsPair_WithLengthsNear2Pow31_FailsTheRequestWithoutAllocating()
    {
        await using var server = await TestServer.StartAsync(Hello);
        await using var connection = await server.ConnectAsync();
        // CVE-2025-23016: nameLength + valueLength overflowed 32 bits in libfcgi.
        var lengths = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(lengths, 0xFFFF_FFFFu);
        BinaryPrimitives.WriteUInt32BigEndian(lengths.AsSpan(4), 0xFFFF_FFF0u);
        await connection.SendAsync(Records.BeginRequest(1, Role.Responder, BeginRequestFlags.KeepConn), Records.MakeRecord(RecordType.Params, 1, lengths));

        var records = await connection.ReadUntilEndAsync(1);

        Assert.Equal(1, Responses.SingleEnd(records, 1).AppStatus);
        await connection.SendAsync(TestServer.Request(2, TestServer.Get()));
        Assert.Equal("hello", Responses.Stdout(await connection.ReadUntilEndAsync(2), 2));
    }

    [Fact]
    public async Task ParamsStream_EndingInsideAPair_FailsTheRequest()
    {
        await using var server = await TestServer.StartAsync(Hello);
        await using var connection = await server.ConnectAsync();
        var pair = Records.NameValuePair("NAME", "VALUE");
        await connection.SendAsync(
            Records.BeginRequest(1, Role.Responder, BeginRequestFlags.KeepConn),
            Records.MakeRecord(RecordType.Params, 1, pair.AsSpan(0, 5)),
            Records.MakeRecord(RecordType.Params, 1, []));

        Assert.Equal(1, Responses.SingleEnd(await connection.ReadUntilEndAsync(1), 1).AppStatus);
    }

    [Fact]
    public async Task GetValues_Malformed_ClosesTheConnection()
    {
        await using var server = await TestServer.StartAsync(Hello);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(Records.MakeRecord(RecordType.GetValues, 0, [0x05, 0x00, (byte)'F']));

        Assert.Empty(await connection.ReadToCloseAsync());
    }

    [Fact]
    public async Task RecordsWithPadding_AreRead()
    {
        await using var server = await TestServer.StartAsync(EchoHandler.HandleAsync);
        await using var connection = await server.ConnectAsync();
        var pairs = Records.Concat(TestServer.Post(3).Select(p => Records.NameValuePair(p.Item1, p.Item2)).ToArray());
        await connection.SendAsync(
            Records.BeginRequest(1, Role.Responder, BeginRequestFlags.KeepConn),
            Records.MakeRecord(RecordType.Params, 1, pairs, padding: 255),
            Records.MakeRecord(RecordType.Params, 1, [], padding: 7),
            Records.MakeRecord(RecordType.Stdin, 1, "abc"u8, padding: 5),
            Records.MakeRecord(RecordType.Stdin, 1, []));

        Assert.EndsWith("abc", Responses.Stdout(await connection.ReadUntilEndAsync(1), 1));
    }

    [Fact]
    public async Task MoreStdinThanContentLength_TheSurplusIsNotTheBody()
    {
        await using var server = await TestServer.StartAsync(EchoHandler.HandleAsync);
        await using var connection = await server.ConnectAsync();
        await connection.SendAsync(TestServer.Request(1, TestServer.Post(3), "abcdef"u8.ToArray()));

        Assert.EndsWith("content_length=3\nabc", Responses.Stdout(await connection.ReadUntilEndAsync(1), 1));
    }

    [Fact]
    public async Task PeerClosesInsideARecord_TheConnectionEndsCleanly()
    {
        await using var server = await TestServer.StartAsync(Hello);
        var connection = await server.ConnectAsync();
        var begin = Records.BeginRequest(1, Role.Responder, BeginRequestFlags.KeepConn);
        await connection.SendAsync(begin.AsSpan(0, 5).ToArray());
        await connection.DisposeAsync();

        await MultiplexingTests.WaitUntilAsync(() => server.Server.OpenConnections == 0 && server.Server.ActiveRequests == 0);
    }
}
