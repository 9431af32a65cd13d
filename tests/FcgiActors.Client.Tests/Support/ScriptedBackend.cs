using System.IO.Pipelines;
using System.Text;
using FcgiActors.Protocol;
using FcgiActors.Testing;

namespace FcgiActors.Client.Tests.Support;

/// <summary>
/// The application end of an in-memory connection, driven by the test: reads the records the
/// client sends and writes whatever bytes the script says (split, wrong, duplicated).
/// </summary>
internal sealed class ScriptedBackend
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    public static readonly BackendAddress Address = BackendAddress.Parse("127.0.0.1:9");

    private readonly IDuplexPipe _pipe;

    internal ScriptedBackend(IDuplexPipe pipe) => _pipe = pipe;

    public async Task<CollectedRecord> ReadAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        return await RecordCollector.ReadRecordAsync(_pipe.Input, cts.Token)
            ?? throw new InvalidOperationException("The client closed the connection.");
    }

    /// <summary>Reads until the end of the request's STDIN (the empty STDIN record).</summary>
    public async Task<List<CollectedRecord>> ReadRequestAsync(ushort requestId)
    {
        using var cts = new CancellationTokenSource(Timeout);
        return await RecordCollector.ReadUntilAsync(_pipe.Input,
            r => r.Type == RecordType.Stdin && r.RequestId == requestId && r.Content.Length == 0, cts.Token);
    }

    /// <summary>Reads until the STDIN of every one of <paramref name="requestIds"/> has ended (records may interleave).</summary>
    public async Task<List<CollectedRecord>> ReadRequestsAsync(params ushort[] requestIds)
    {
        var pending = new HashSet<ushort>(requestIds);
        var records = new List<CollectedRecord>();
        while (pending.Count > 0)
        {
            var record = await ReadAsync();
            records.Add(record);
            if (record.Type == RecordType.Stdin && record.Content.Length == 0)
            {
                pending.Remove(record.RequestId);
            }
        }

        return records;
    }

    /// <summary>Reads until a record matching <paramref name="last"/>.</summary>
    public async Task<List<CollectedRecord>> ReadUntilAsync(Func<CollectedRecord, bool> last)
    {
        using var cts = new CancellationTokenSource(Timeout);
        return await RecordCollector.ReadUntilAsync(_pipe.Input, last, cts.Token);
    }

    /// <summary>True when the client wrote nothing more within <paramref name="wait"/>.</summary>
    public async Task<bool> ReadsNothingAsync(TimeSpan wait)
    {
        using var cts = new CancellationTokenSource(wait);
        try
        {
            var result = await _pipe.Input.ReadAsync(cts.Token);
            var empty = result.Buffer.IsEmpty;
            _pipe.Input.AdvanceTo(result.Buffer.Start);
            return empty;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    public async Task SendAsync(params byte[][] parts)
    {
        foreach (var part in parts)
        {
            await _pipe.Output.WriteAsync(part);
        }
    }

    /// <summary>Sends each byte in its own flush: every record split at every offset.</summary>
    public async Task SendByteByByteAsync(byte[] bytes)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            await _pipe.Output.WriteAsync(bytes.AsMemory(i, 1));
        }
    }

    public Task CloseAsync() => _pipe.Output.CompleteAsync().AsTask();

    /// <summary>Closes both directions, as a process that exits: the client's reads end and its writes fail.</summary>
    public async Task AbortAsync()
    {
        await _pipe.Output.CompleteAsync();
        await _pipe.Input.CompleteAsync();
    }

    /// <summary>A full answer: STDOUT text, its end, END_REQUEST.</summary>
    public static byte[] Answer(ushort requestId, string stdout, int appStatus = 0, ProtocolStatus status = ProtocolStatus.RequestComplete) =>
        Records.Concat(
            Records.Stream(RecordType.Stdout, requestId, Encoding.UTF8.GetBytes(stdout)),
            Records.EndRequest(requestId, appStatus, status));
}
