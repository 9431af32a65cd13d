using System.Buffers;
using BenchmarkDotNet.Attributes;
using FcgiActors.Protocol;

namespace FcgiActors.Benchmarks;

/// <summary>
/// <see cref="RecordWriter"/> and <see cref="ParamsWriter"/> into a buffer writer reused across
/// operations (reset, not reallocated), as a connection writer reuses its pipe.
/// </summary>
[MemoryDiagnoser]
public class RecordWriterBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(256 * 1024);
    private readonly byte[] _body = new byte[64 * 1024];
    private ParamsWriter _paramsWriter = null!;

    [GlobalSetup]
    public void Setup()
    {
        new Random(2).NextBytes(_body);
        _paramsWriter = new ParamsWriter(_output, 1);
    }

    [GlobalCleanup]
    public void Cleanup() => _paramsWriter.Dispose();

    /// <summary>A 64 KiB STDIN body: records of 65528 and 8 bytes, then the empty record.</summary>
    [Benchmark]
    public int WriteStdin64KiB()
    {
        _output.ResetWrittenCount();
        RecordWriter.WriteStream(_output, RecordType.Stdin, 1, _body);
        RecordWriter.WriteEndOfStream(_output, RecordType.Stdin, 1);
        return _output.WrittenCount;
    }

    /// <summary>nginx's ~30 PARAMS through one ParamsWriter reused across streams (it is empty after Complete).</summary>
    [Benchmark]
    public int WriteSmallParams()
    {
        _output.ResetWrittenCount();
        foreach (var (name, value) in BenchmarkData.NginxParamsUtf8)
        {
            _paramsWriter.Add(name, value);
        }

        _paramsWriter.Complete();
        return _output.WrittenCount;
    }

    /// <summary>As <see cref="WriteSmallParams"/> with a new ParamsWriter per stream: the cost of the writer object.</summary>
    [Benchmark]
    public int WriteSmallParams_NewWriter()
    {
        _output.ResetWrittenCount();
        using var writer = new ParamsWriter(_output, 1);
        foreach (var (name, value) in BenchmarkData.NginxParamsUtf8)
        {
            writer.Add(name, value);
        }

        writer.Complete();
        return _output.WrittenCount;
    }

    /// <summary>The same PARAMS from strings, transcoded to UTF-8 through a pooled buffer.</summary>
    [Benchmark]
    public int WriteSmallParams_Strings()
    {
        _output.ResetWrittenCount();
        foreach (var (name, value) in BenchmarkData.NginxParams)
        {
            _paramsWriter.Add(name, value);
        }

        _paramsWriter.Complete();
        return _output.WrittenCount;
    }

    [Benchmark]
    public int WriteEndRequest()
    {
        _output.ResetWrittenCount();
        RecordWriter.WriteEndRequest(_output, 1, 0, ProtocolStatus.RequestComplete);
        return _output.WrittenCount;
    }
}
