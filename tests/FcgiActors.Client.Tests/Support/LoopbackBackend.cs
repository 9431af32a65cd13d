using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using FcgiActors.Testing;

namespace FcgiActors.Client.Tests.Support;

/// <summary>A scripted backend behind a real loopback TCP socket, for code that connects by itself (the bridge).</summary>
internal sealed class LoopbackBackend : IAsyncDisposable
{
    private readonly Socket _listener;
    private Socket? _accepted;
    private NetworkStream? _stream;

    public LoopbackBackend()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(4);
        Address = BackendAddress.Tcp("127.0.0.1", ((IPEndPoint)_listener.LocalEndPoint!).Port);
    }

    public BackendAddress Address { get; }

    public async Task<ScriptedBackend> AcceptAsync()
    {
        using var cts = new CancellationTokenSource(ScriptedBackend.Timeout);
        _accepted = await _listener.AcceptAsync(cts.Token);
        _stream = new NetworkStream(_accepted, ownsSocket: false);
        return new ScriptedBackend(new DuplexPipe(PipeReader.Create(_stream), PipeWriter.Create(_stream)));
    }

    /// <summary>Closes the accepted connection (FIN).</summary>
    public void CloseConnection()
    {
        _accepted?.Shutdown(SocketShutdown.Both);
        _accepted?.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        _accepted?.Dispose();
        _listener.Dispose();
        return ValueTask.CompletedTask;
    }
}
