using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using FcgiActors.Protocol;
using FcgiActors.Testing;

namespace FcgiActors.Proxy.Tests.Support;

/// <summary>
/// A FastCGI backend on 127.0.0.1 whose behaviour per connection is a script: tests make it
/// crash, stall, close mid-response or multiplex, and read back every record it received.
/// </summary>
public sealed class ScriptedBackend : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<BackendConnection, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly Task _accept;
    private int _accepted;

    public ScriptedBackend(Func<BackendConnection, Task> script, int port = 0)
    {
        _script = script;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        _listener.Listen(512);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _accept = AcceptAsync();
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Every record received, over all connections, in arrival order per connection.</summary>
    public ConcurrentQueue<CollectedRecord> Received { get; } = new();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            var connection = new BackendConnection(socket, this);
            _connections.Add(Task.Run(async () =>
            {
                try
                {
                    await _script(connection);
                }
                catch (Exception)
                {
                    // A script ends however the test wants; the socket is closed below.
                }
                finally
                {
                    await connection.DisposeAsync();
                }
            }));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accept;
        await Task.WhenAll(_connections).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    /// <summary>One accepted connection, seen from the backend.</summary>
    public sealed class BackendConnection : IAsyncDisposable
    {
        private readonly Socket _socket;
        private readonly NetworkStream _stream;
        private readonly PipeReader _reader;
        private readonly ScriptedBackend _owner;
        private readonly SemaphoreSlim _writeLock = new(1, 1);
        private readonly Dictionary<ushort, List<byte>> _params = [];
        private readonly Dictionary<ushort, string> _queries = [];

        internal BackendConnection(Socket socket, ScriptedBackend owner)
        {
            _socket = socket;
            _owner = owner;
            _stream = new NetworkStream(socket, ownsSocket: false);
            _reader = PipeReader.Create(_stream);
        }

        public CancellationToken Stopping => _owner._stop.Token;

        /// <summary>The next record, or null at EOF.</summary>
        public async Task<CollectedRecord?> ReadAsync()
        {
            CollectedRecord? record;
            try
            {
                record = await RecordCollector.ReadRecordAsync(_reader, Stopping);
            }
            catch (Exception)
            {
                return null;
            }

            if (record is not null)
            {
                _owner.Received.Enqueue(record);
                TrackParams(record);
            }

            return record;
        }

        /// <summary>QUERY_STRING of request <paramref name="id"/>, known once <see cref="ReadAsync"/> has read the end of its PARAMS.</summary>
        public string QueryOf(ushort id) => _queries[id];

        // Interleaved requests: each one's PARAMS bytes gathered by request ID, decoded at the empty PARAMS record.
        private void TrackParams(CollectedRecord record)
        {
            switch (record.Type)
            {
                case RecordType.BeginRequest:
                    _params[record.RequestId] = [];
                    break;
                case RecordType.Params when record.Content.Length > 0 && _params.TryGetValue(record.RequestId, out var pairs):
                    pairs.AddRange(record.Content);
                    break;
                case RecordType.Params when _params.Remove(record.RequestId, out var pairs):
                    _queries[record.RequestId] = new BackendRequest(record.RequestId, [.. pairs], []).Params.GetValueOrDefault("QUERY_STRING", "");
                    break;
            }
        }

        /// <summary>Reads one request: BEGIN_REQUEST, PARAMS up to its empty record, STDIN up to its empty record. Answers GET_VALUES on the way.</summary>
        public async Task<BackendRequest?> ReadRequestAsync(bool mpxs = false)
        {
            ushort id = 0;
            var pairs = new List<byte>();
            var stdin = new List<byte>();
            var paramsDone = false;
            while (await ReadAsync() is { } record)
            {
                switch (record.Type)
                {
                    case RecordType.GetValues:
                        await WriteAsync(GetValuesResult(mpxs));
                        break;
                    case RecordType.BeginRequest:
                        id = record.RequestId;
                        break;
                    case RecordType.Params when record.Content.Length == 0:
                        paramsDone = true;
                        break;
                    case RecordType.Params:
                        pairs.AddRange(record.Content);
                        break;
                    case RecordType.Stdin when record.Content.Length == 0 && paramsDone:
                        return new BackendRequest(id, pairs.ToArray(), stdin.ToArray());
                    case RecordType.Stdin:
                        stdin.AddRange(record.Content);
                        break;
                }
            }

            return null;
        }

        public async Task WriteAsync(byte[] bytes)
        {
            await _writeLock.WaitAsync(Stopping);
            try
            {
                await _stream.WriteAsync(bytes, Stopping);
            }
            finally
            {
                _writeLock.Release();
            }
        }

        /// <summary>STDOUT with its empty record, empty STDERR omitted, END_REQUEST.</summary>
        public Task RespondAsync(ushort id, string stdout, int appStatus = 0, ProtocolStatus status = ProtocolStatus.RequestComplete) =>
            WriteAsync(Records.Concat(
                Records.Stream(RecordType.Stdout, id, System.Text.Encoding.UTF8.GetBytes(stdout)),
                Records.EndRequest(id, appStatus, status)));

        public static byte[] GetValuesResult(bool mpxs) =>
            Records.MakeRecord(RecordType.GetValuesResult, 0, Records.Concat(
                Records.NameValuePair("FCGI_MAX_CONNS", "100"),
                Records.NameValuePair("FCGI_MAX_REQS", mpxs ? "1000" : "1"),
                Records.NameValuePair("FCGI_MPXS_CONNS", mpxs ? "1" : "0")));

        /// <summary>Closes at once (RST), like a crashed process.</summary>
        public void Crash() => _socket.Close(0);

        public async ValueTask DisposeAsync()
        {
            await _reader.CompleteAsync();
            await _stream.DisposeAsync();
            _socket.Dispose();
        }
    }
}

/// <summary>A request as a backend received it.</summary>
public sealed record BackendRequest(ushort Id, byte[] ParamsBytes, byte[] Stdin)
{
    public Dictionary<string, string> Params
    {
        get
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            var span = ParamsBytes.AsSpan();
            while (span.Length > 0)
            {
                var nameLength = ReadLength(ref span);
                var valueLength = ReadLength(ref span);
                result[System.Text.Encoding.UTF8.GetString(span[..nameLength])] = System.Text.Encoding.UTF8.GetString(span.Slice(nameLength, valueLength));
                span = span[(nameLength + valueLength)..];
            }

            return result;
        }
    }

    private static int ReadLength(ref Span<byte> span)
    {
        if (span[0] < 0x80)
        {
            var n = span[0];
            span = span[1..];
            return n;
        }

        var length = (int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(span) & 0x7fffffff);
        span = span[4..];
        return length;
    }
}
