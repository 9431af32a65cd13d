using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using FcgiActors.Hosting.AspNetCore;

namespace FcgiActors.Hosting.Tests.AspNetCore;

/// <summary>An in-memory FastCGI request: PARAMS as pairs, STDIN and STDOUT as pipes.</summary>
internal sealed class TestExchange : IFastCgiExchange
{
    private readonly List<(string Name, string Value)> _params;
    private readonly Pipe _stdin = new();
    private readonly Pipe _stdout = new(new PipeOptions(pauseWriterThreshold: 0));
    private readonly CancellationTokenSource _aborted = new();

    public TestExchange(params (string Name, string Value)[] parameters)
    {
        _params = [.. parameters];
        _stdin.Writer.Complete();
    }

    public TestExchange(byte[] body, params (string Name, string Value)[] parameters)
    {
        _params = [.. parameters];
        _stdin.Writer.Write(body);
        _stdin.Writer.Complete();
    }

    public string ConnectionId => "test-conn";

    public ushort RequestId => 1;

    public IEnumerable<(string Name, string Value)> Params => _params;

    public string? GetParam(string name) => _params.FindLast(p => p.Name == name).Value;

    public PipeReader Body => _stdin.Reader;

    public PipeWriter Output => _stdout.Writer;

    public CancellationToken Aborted => _aborted.Token;

    public int AppStatus { get; set; }

    public void Abort() => _aborted.Cancel();

    /// <summary>Completes STDOUT (as the responder does after the handler) and returns it as Latin-1 text.</summary>
    public async Task<string> ReadOutputAsync()
    {
        await _stdout.Writer.CompleteAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var builder = new StringBuilder();
        while (true)
        {
            var result = await _stdout.Reader.ReadAsync(cts.Token);
            foreach (var segment in result.Buffer)
            {
                builder.Append(Encoding.Latin1.GetString(segment.Span));
            }

            _stdout.Reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return builder.ToString();
            }
        }
    }

    /// <summary>What the handler flushed so far, without completing STDOUT.</summary>
    public async Task<string> ReadAvailableAsync(int minimumBytes)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var result = await _stdout.Reader.ReadAsync(cts.Token);
            if (result.Buffer.Length >= minimumBytes || result.IsCompleted)
            {
                var text = Encoding.Latin1.GetString(result.Buffer.ToArray());
                _stdout.Reader.AdvanceTo(result.Buffer.End);
                return text;
            }

            _stdout.Reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
