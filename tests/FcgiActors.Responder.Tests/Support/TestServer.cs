using System.Net;
using FcgiActors.Protocol;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Responder.Tests.Support;

/// <summary>An <see cref="FcgiServer"/> on a free loopback port for one test, stopped on dispose.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private TestServer(FcgiServer server, ResponderSettings settings)
    {
        Server = server;
        Settings = settings;
    }

    public FcgiServer Server { get; }

    public ResponderSettings Settings { get; }

    public IPEndPoint EndPoint => (IPEndPoint)Server.BoundEndPoints[0];

    public int Port => EndPoint.Port;

    /// <summary>Starts a server on 127.0.0.1:0 (unless <paramref name="settings"/> says where).</summary>
    public static async Task<TestServer> StartAsync(FcgiRequestHandler handler, ResponderSettings? settings = null, ILoggerFactory? loggerFactory = null)
    {
        settings ??= ResponderSettings.Default;
        if (settings.Listen.Count == 1 && settings.Listen[0].ToString() == "127.0.0.1:9000")
        {
            settings = settings with { Listen = [ListenAddress.Tcp(IPAddress.Loopback, 0)] };
        }

        var server = new FcgiServer(settings, handler, loggerFactory ?? TestLog.FromEnvironment());
        await server.StartAsync();
        return new TestServer(server, settings);
    }

    public Task<RawConnection> ConnectAsync() => RawConnection.ConnectAsync(EndPoint);

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Server.StopAsync(cts.Token);
    }

    /// <summary>Params every test request carries.</summary>
    public static (string, string)[] Get(string query = "") =>
        [("REQUEST_METHOD", "GET"), ("QUERY_STRING", query), ("SERVER_PROTOCOL", "HTTP/1.1")];

    public static (string, string)[] Post(int length, string query = "") =>
        [("REQUEST_METHOD", "POST"), ("QUERY_STRING", query), ("CONTENT_LENGTH", length.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>A whole request: BEGIN_REQUEST, PARAMS, STDIN.</summary>
    public static byte[] Request(ushort id, (string, string)[] parameters, byte[]? body = null, BeginRequestFlags flags = BeginRequestFlags.KeepConn, Role role = Role.Responder) =>
        Testing.Records.Concat(
            Testing.Records.BeginRequest(id, role, flags),
            Testing.Records.Params(id, parameters),
            Testing.Records.Stream(RecordType.Stdin, id, body ?? []));
}
