using System.Buffers;
using BenchmarkDotNet.Attributes;
using FcgiActors.Protocol;

namespace FcgiActors.Benchmarks;

/// <summary>
/// <see cref="RecordReader.TryRead"/> over buffered input. Each operation reads
/// <see cref="RecordsPerOp"/> records, so the reported time and allocation are per record.
/// </summary>
[MemoryDiagnoser]
public class RecordReaderBenchmarks
{
    public const int RecordsPerOp = 16;

    private ReadOnlySequence<byte> _stdin;
    private ReadOnlySequence<byte> _stdinSegmented;
    private ReadOnlySequence<byte> _params;
    private readonly byte[] _destination = new byte[FcgiConstants.MaxContentLength];

    [GlobalSetup]
    public void Setup()
    {
        // 16 STDIN records of 65528 bytes (64 KiB less 8, the size writers use): 1 MiB.
        var output = new ArrayBufferWriter<byte>();
        var body = new byte[RecordsPerOp * FcgiConstants.MaxAlignedContentLength];
        new Random(1).NextBytes(body);
        RecordWriter.WriteStream(output, RecordType.Stdin, 1, body);
        var stdin = output.WrittenSpan.ToArray();
        _stdin = new ReadOnlySequence<byte>(stdin);
        _stdinSegmented = BenchmarkData.Segmented(stdin, 4096);

        // 16 PARAMS records, each one nginx request's parameters (~1.2 KB).
        output = new ArrayBufferWriter<byte>();
        var content = BenchmarkData.NginxParamsContent();
        for (var i = 0; i < RecordsPerOp; i++)
        {
            RecordWriter.WriteRecord(output, RecordType.Params, 1, content);
        }

        _params = new ReadOnlySequence<byte>(output.WrittenSpan.ToArray());
    }

    /// <summary>Framing only: header checks and slicing, content left in place (what a consumer that writes it on sees).</summary>
    [Benchmark(OperationsPerInvoke = RecordsPerOp)]
    public long ReadStdin64KiB() => ReadAll(_stdin);

    /// <summary>Framing over 4 KiB segments, the shape a Pipe delivers.</summary>
    [Benchmark(OperationsPerInvoke = RecordsPerOp)]
    public long ReadStdin64KiB_4KiBSegments() => ReadAll(_stdinSegmented);

    /// <summary>Framing plus copying every content byte out: bounded by memory bandwidth.</summary>
    [Benchmark(OperationsPerInvoke = RecordsPerOp)]
    public long ReadStdin64KiB_CopyContent()
    {
        var buffer = _stdin;
        long total = 0;
        while (RecordReader.TryRead(ref buffer, out var header, out var content))
        {
            content.CopyTo(_destination);
            total += header.ContentLength;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = RecordsPerOp)]
    public long ReadSmallParams() => ReadAll(_params);

    private static long ReadAll(ReadOnlySequence<byte> buffer)
    {
        long total = 0;
        while (RecordReader.TryRead(ref buffer, out var header, out var content))
        {
            total += header.ContentLength + content.Length;
        }

        return total;
    }
}
