using System.Collections.Concurrent;
using System.IO.Pipelines;
using FcgiActors.Protocol;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Responder.Connections;

/// <summary>What every connection of one server shares: settings, the global request slots, loggers.</summary>
internal sealed class ServerContext
{
    private int _requestSlots;
    private int _runningHandlers;

    public ServerContext(ResponderSettings settings, ILoggerFactory loggerFactory)
    {
        Settings = settings;
        LoggerFactory = loggerFactory;
        ConnectionLogger = loggerFactory.CreateLogger("FcgiActors.Responder.Connection");
        RequestLogger = loggerFactory.CreateLogger("FcgiActors.Responder.Request");
        ManagementValues = new ManagementValues(settings.MaxConnections, settings.MaxRequestsPerConnection, settings.Multiplexing);
        // Built once: every request's pipes share them (PipeOptions is immutable).
        InputPipeOptions = new PipeOptions(
            pool: Buffers,
            pauseWriterThreshold: settings.StdinWindow,
            resumeWriterThreshold: settings.StdinWindow / 2,
            minimumSegmentSize: 16 * 1024,
            readerScheduler: HandlerScheduler,
            writerScheduler: PipeScheduler.Inline,
            useSynchronizationContext: false);
        OutputPipeOptions = new PipeOptions(
            pool: Buffers,
            pauseWriterThreshold: settings.StdoutWindow,
            resumeWriterThreshold: settings.StdoutWindow / 2,
            minimumSegmentSize: 16 * 1024,
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.ThreadPool,
            useSynchronizationContext: false);
    }

    public ResponderSettings Settings { get; }
    public ILoggerFactory LoggerFactory { get; }
    public ILogger ConnectionLogger { get; }
    public ILogger RequestLogger { get; }
    public ManagementValues ManagementValues { get; }
    public PipeScheduler HandlerScheduler { get; } = PipeScheduler.ThreadPool;

    /// <summary>Receive buffers, write batches and pipe segments of every connection (see <see cref="BufferPool"/>).</summary>
    public BufferPool Buffers { get; } = new();

    /// <summary>STDIN and DATA: the handler reads, the read loop writes within the window.</summary>
    public PipeOptions InputPipeOptions { get; }

    /// <summary>STDOUT and STDERR: the handler writes within the window, the connection writer reads.</summary>
    public PipeOptions OutputPipeOptions { get; }

    /// <summary>Set when the server stops: new requests are refused with OVERLOADED.</summary>
    public volatile bool Stopping;

    /// <summary>Open connections, for the heartbeat and shutdown.</summary>
    public ConcurrentDictionary<FcgiConnection, byte> Connections { get; } = new(ReferenceEqualityComparer.Instance);

    public void Register(FcgiConnection connection) => Connections.TryAdd(connection, 0);

    public void Unregister(FcgiConnection connection) => Connections.TryRemove(connection, out _);

    public int ActiveRequests => Volatile.Read(ref _requestSlots);

    public int RunningHandlers => Volatile.Read(ref _runningHandlers);

    public bool TryAcquireRequestSlot()
    {
        if (Interlocked.Increment(ref _requestSlots) <= Settings.MaxConcurrentRequests)
        {
            return true;
        }

        Interlocked.Decrement(ref _requestSlots);
        return false;
    }

    public void ReleaseRequestSlot() => Interlocked.Decrement(ref _requestSlots);

    public void HandlerStarted() => Interlocked.Increment(ref _runningHandlers);

    public void HandlerFinished() => Interlocked.Decrement(ref _runningHandlers);
}
