using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using FcgiActors.Protocol;
using FcgiActors.Testing;

namespace FcgiActors.Responder.Tests.Support;

/// <summary>A web server's side of one connection, byte-exact: send any bytes, read records back.</summary>
public sealed class RawConnection : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;

    private RawConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = PipeReader.Create(_stream);
    }

    public Socket Socket => _socket;

    public static async Task<RawConnection> ConnectAsync(EndPoint endPoint)
    {
        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(DefaultTimeout);
        await socket.ConnectAsync(endPoint, cts.Token);
        return new RawConnection(socket);
    }

    public async Task SendAsync(params byte[][] parts)
    {
        using var cts = new CancellationTokenSource(DefaultTimeout);
        foreach (var part in parts)
        {
            await _stream.WriteAsync(part, cts.Token);
        }
    }

    /// <summary>Sends the bytes one at a time (a parser must accept every split).</summary>
    public async Task SendByteByByteAsync(byte[] bytes)
    {
        foreach (var b in bytes)
        {
            await _stream.WriteAsync(new[] { b });
            await _stream.FlushAsync();
        }
    }

    /// <summary>The next record, or null when the peer closed on a record boundary.</summary>
    public async Task<CollectedRecord?> ReadRecordAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await RecordCollector.ReadRecordAsync(_reader, cts.Token);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Records up to and including the END_REQUEST of <paramref name="requestId"/>.</summary>
    public async Task<List<CollectedRecord>> ReadUntilEndAsync(ushort requestId, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        return await RecordCollector.ReadUntilAsync(_reader, r => r.Type == RecordType.EndRequest && r.RequestId == requestId, cts.Token);
    }

    /// <summary>Records until the server closes the connection.</summary>
    public async Task<List<CollectedRecord>> ReadToCloseAsync(TimeSpan? timeout = null)
    {
        var records = new List<CollectedRecord>();
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            while (await RecordCollector.ReadRecordAsync(_reader, cts.Token) is { } record)
            {
                records.Add(record);
            }
        }
        catch (IOException)
        {
            // A reset also closes; the tests that care check for a clean FIN separately.
        }

        return records;
    }

    /// <summary>True when nothing arrives within <paramref name="quiet"/> (and the connection stays open).</summary>
    public async Task<bool> ExpectNothingAsync(TimeSpan quiet)
    {
        using var cts = new CancellationTokenSource(quiet);
        try
        {
            var result = await _reader.ReadAsync(cts.Token);
            var hadData = !result.Buffer.IsEmpty;
            _reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            return !hadData && !result.IsCompleted;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
