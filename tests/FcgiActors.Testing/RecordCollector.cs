using System.Buffers;
using System.IO.Pipelines;
using FcgiActors.Protocol;

namespace FcgiActors.Testing;

/// <summary>Reads records with <see cref="RecordReader"/> into lists for assertions.</summary>
public static class RecordCollector
{
    /// <summary>Every record in <paramref name="bytes"/>, which must end on a record boundary.</summary>
    public static List<CollectedRecord> ReadAll(byte[] bytes) => ReadAll(new ReadOnlySequence<byte>(bytes));

    /// <summary>Every record in <paramref name="buffer"/>, which must end on a record boundary.</summary>
    /// <exception cref="InvalidOperationException">Bytes of an incomplete record are left over.</exception>
    public static List<CollectedRecord> ReadAll(ReadOnlySequence<byte> buffer)
    {
        var records = new List<CollectedRecord>();
        while (RecordReader.TryRead(ref buffer, out var header, out var content))
        {
            records.Add(new CollectedRecord(header, content.ToArray()));
        }

        if (!buffer.IsEmpty)
        {
            throw new InvalidOperationException($"{buffer.Length} bytes after record {records.Count} do not make a whole record.");
        }

        return records;
    }

    /// <summary>
    /// Reads records until the writer completes. Throws when the pipe ends inside a record.
    /// </summary>
    public static async Task<List<CollectedRecord>> ReadAllAsync(PipeReader reader, CancellationToken cancellationToken = default)
    {
        var records = new List<CollectedRecord>();
        while (await ReadRecordAsync(reader, cancellationToken) is { } record)
        {
            records.Add(record);
        }

        return records;
    }

    /// <summary>
    /// Reads records until one matches <paramref name="last"/> (inclusive), e.g. the END_REQUEST
    /// of a request, leaving the connection open.
    /// </summary>
    public static async Task<List<CollectedRecord>> ReadUntilAsync(
        PipeReader reader, Func<CollectedRecord, bool> last, CancellationToken cancellationToken = default)
    {
        var records = new List<CollectedRecord>();
        while (await ReadRecordAsync(reader, cancellationToken) is { } record)
        {
            records.Add(record);
            if (last(record))
            {
                return records;
            }
        }

        throw new InvalidOperationException($"The pipe ended after {records.Count} records without the awaited record.");
    }

    /// <summary>The next record, or null when the writer completed on a record boundary.</summary>
    /// <exception cref="InvalidOperationException">The pipe ended inside a record.</exception>
    public static async Task<CollectedRecord?> ReadRecordAsync(PipeReader reader, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            try
            {
                if (RecordReader.TryRead(ref buffer, out var header, out var content))
                {
                    var record = new CollectedRecord(header, content.ToArray());
                    consumed = examined = buffer.Start;
                    return record;
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    if (buffer.IsEmpty)
                    {
                        return null;
                    }

                    throw new InvalidOperationException($"The pipe ended inside a record ({buffer.Length} bytes left).");
                }
            }
            finally
            {
                reader.AdvanceTo(consumed, examined);
            }
        }
    }

    /// <summary>
    /// The content of one stream (type and request ID), concatenated; throws unless the stream
    /// ends with exactly one empty record and nothing of it follows.
    /// </summary>
    public static byte[] StreamContent(IEnumerable<CollectedRecord> records, RecordType type, ushort requestId)
    {
        var stream = records.Where(r => r.Type == type && r.RequestId == requestId).ToList();
        var empties = stream.Count(r => r.Content.Length == 0);
        if (empties != 1 || stream[^1].Content.Length != 0)
        {
            throw new InvalidOperationException(
                $"{type} stream of request {requestId} must end with exactly one empty record; it has {stream.Count} records, {empties} empty.");
        }

        return Records.Concat(stream.Select(r => r.Content).ToArray());
    }
}
