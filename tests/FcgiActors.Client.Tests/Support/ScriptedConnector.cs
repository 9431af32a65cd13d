using System.IO.Pipelines;
using System.Threading.Channels;
using FcgiActors.Testing;

namespace FcgiActors.Client.Tests.Support;

/// <summary>
/// A <see cref="BackendConnector"/> for pool specs: fails the first connects as scripted, then
/// hands out in-memory connections whose backend ends the test drives.
/// </summary>
internal sealed class ScriptedConnector
{
    private readonly Queue<Exception> _failures;
    private readonly Channel<ScriptedBackend> _accepted = Channel.CreateUnbounded<ScriptedBackend>();
    private readonly List<long> _attempts = [];

    private readonly PipeOptions? _options;

    public ScriptedConnector(params Exception[] failures) : this(null, failures)
    {
    }

    /// <param name="options">The in-memory pipes' options (a tiny pause threshold makes the client's writer wait for the backend).</param>
    public ScriptedConnector(PipeOptions? options, params Exception[] failures)
    {
        _options = options;
        _failures = new Queue<Exception>(failures);
    }

    /// <summary>Pipes that hold one byte before the writer waits: every flush waits for the backend to read.</summary>
    public static PipeOptions Tight { get; } = new(pauseWriterThreshold: 1, resumeWriterThreshold: 1, useSynchronizationContext: false);

    /// <summary>When each connect was attempted (Environment.TickCount64).</summary>
    public long[] Attempts
    {
        get
        {
            lock (_attempts)
            {
                return [.. _attempts];
            }
        }
    }

    public BackendConnector Connector => _ =>
    {
        lock (_attempts)
        {
            _attempts.Add(Environment.TickCount64);
            if (_failures.TryDequeue(out var failure))
            {
                return Task.FromException<(IDuplexPipe, IDisposable?)>(failure);
            }
        }

        var (client, server) = DuplexPipe.CreatePair(_options);
        _accepted.Writer.TryWrite(new ScriptedBackend(server));
        return Task.FromResult<(IDuplexPipe, IDisposable?)>((client, null));
    };

    /// <summary>The backend end of the next connection the pool makes.</summary>
    public async Task<ScriptedBackend> AcceptAsync()
    {
        using var cts = new CancellationTokenSource(ScriptedBackend.Timeout);
        return await _accepted.Reader.ReadAsync(cts.Token);
    }
}
