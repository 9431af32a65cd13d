using BenchmarkDotNet.Attributes;
using FcgiActors.Protocol;

namespace FcgiActors.Benchmarks;

/// <summary>Decoding one nginx request's PARAMS (~30 pairs, ~1.2 KB) with a reused decoder.</summary>
[MemoryDiagnoser]
public class NameValueBenchmarks
{
    private readonly NameValueDecoder _decoder = new(NameValueLimits.Default);
    private readonly CountingSink _sink = new();
    private byte[] _content = [];
    private byte[] _firstHalf = [];
    private byte[] _secondHalf = [];

    [GlobalSetup]
    public void Setup()
    {
        _content = BenchmarkData.NginxParamsContent();
        // Cut inside a pair, so the decoder reassembles one pair across two records.
        var middle = _content.Length / 2;
        _firstHalf = _content[..middle];
        _secondHalf = _content[middle..];
    }

    [GlobalCleanup]
    public void Cleanup() => _decoder.Dispose();

    [Benchmark]
    public int DecodeNginxParams()
    {
        _decoder.Reset();
        _sink.Count = 0;
        _decoder.Decode(_content, _sink);
        _decoder.Complete();
        return _sink.Count;
    }

    [Benchmark]
    public int DecodeNginxParams_PairStraddlingRecords()
    {
        _decoder.Reset();
        _sink.Count = 0;
        _decoder.Decode(_firstHalf, _sink);
        _decoder.Decode(_secondHalf, _sink);
        _decoder.Complete();
        return _sink.Count;
    }

    private sealed class CountingSink : INameValueSink
    {
        public int Count;

        public void OnPair(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => Count += name.Length > 0 ? 1 : 0;
    }
}
