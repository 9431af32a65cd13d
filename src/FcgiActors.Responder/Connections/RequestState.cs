using System.IO.Pipelines;
using FcgiActors.Protocol;

namespace FcgiActors.Responder.Connections;

/// <summary>
/// One request ID's state, shared by its three parties with a clear owner per field: the read
/// loop owns the input side (decoder, STDIN/DATA pipe writers), the handler owns the output
/// pipe writers, the <see cref="ConnectionWriter"/> owns the output pipe readers. The end is a
/// one-shot gate (<see cref="TryBeginEnd"/>) so exactly one END_REQUEST is ever written (§5.5).
/// </summary>
internal sealed class RequestState
{
    private int _endGate;
    private int _scheduled;
    private volatile bool _ending;
    private volatile bool _ended;
    private int _endedGate;
    private Pipe? _stderr;

    public RequestState(FcgiConnection connection, ushort id, Role role, bool keepConnection)
    {
        Connection = connection;
        Id = id;
        Role = role;
        KeepConnection = keepConnection;
        BeganTicks = Environment.TickCount64;
    }

    public FcgiConnection Connection { get; }
    public ushort Id { get; }
    public Role Role { get; }
    public bool KeepConnection { get; }
    public long BeganTicks { get; }

    // --- input side: read loop only (volatile where the heartbeat reads it) ---
    public NameValueDecoder? ParamsDecoder;
    public FcgiParams.Builder? ParamsBuilder;
    public FcgiParams Params = FcgiParams.Empty;
    public volatile bool ParamsComplete;
    public volatile bool HandlerStarted;
    public bool StdinClosed;
    public bool DataClosed;
    public volatile bool InputDiscarded;
    public long StdinBytes;
    public long ExpectedStdin = -1;
    public long StdinStartedTicks;
    public volatile bool InputPaused;
    public bool HoldsServerSlot;

    public Pipe? Stdin;
    public Pipe? Data;
    public Pipe? Stdout;
    public RequestOutputWriter? OutputWriter;
    public RequestOutputWriter? ErrorWriter;
    public FcgiRequestContext? Context;
    public CancellationTokenSource? Aborted;

    /// <summary>The request's actor once spawned (set and read by the connection actor only).</summary>
    public FcgiActors.Actors.IActorRef? Actor;

    // --- end: set once through the gate, read by the writer after it sees _ending ---
    public int AppStatus { get; private set; }
    public ProtocolStatus ProtocolStatus { get; private set; }
    public bool DiscardOutput { get; private set; }
    public byte[]? Preface { get; set; }

    // --- writer side: ConnectionWriter only ---
    public bool StdoutClosedOnWire;
    public bool StderrClosedOnWire;
    public bool StdoutWritten;

    public Pipe? Stderr => Volatile.Read(ref _stderr);
    public bool IsEnding => _ending;
    public bool IsEnded => _ended;

    /// <summary>Creates the pipes of a request that will run a handler.</summary>
    public void CreatePipes(ServerContext server)
    {
        Stdin = new Pipe(server.InputPipeOptions);
        if (Role == Role.Filter)
        {
            Data = new Pipe(server.InputPipeOptions);
        }

        Stdout = new Pipe(server.OutputPipeOptions);
        OutputWriter = new RequestOutputWriter(this, Stdout.Writer);
        Aborted = new CancellationTokenSource();
    }

    /// <summary>The STDERR pipe, created on first use (most requests never write STDERR).</summary>
    public RequestOutputWriter GetErrorWriter(ServerContext server)
    {
        if (ErrorWriter is null)
        {
            var pipe = new Pipe(server.OutputPipeOptions);
            ErrorWriter = new RequestOutputWriter(this, pipe.Writer);
            Volatile.Write(ref _stderr, pipe);
        }

        return ErrorWriter;
    }

    /// <summary>
    /// Ends the request once: records the END_REQUEST body and lets the writer finish it.
    /// <paramref name="discard"/> drops output not yet sent (ABORT, failures that may race a
    /// running handler); otherwise the handler is finished and its output pipes are completed
    /// here so the writer sends everything, then the empty records, then END_REQUEST.
    /// </summary>
    public bool TryBeginEnd(int appStatus, ProtocolStatus status, bool discard)
    {
        if (Interlocked.Exchange(ref _endGate, 1) != 0)
        {
            return false;
        }

        AppStatus = appStatus;
        ProtocolStatus = status;
        DiscardOutput = discard;
        if (!discard)
        {
            OutputWriter?.CompleteInner();
            ErrorWriter?.CompleteInner();
        }

        _ending = true;
        Connection.Writer.Schedule(this);
        return true;
    }

    /// <summary>The writer sent END_REQUEST: the ID is inactive from now on (§3.3).</summary>
    /// <returns>true the first time only, so the connection's accounting runs once.</returns>
    public bool MarkEnded()
    {
        _ended = true;
        return Interlocked.Exchange(ref _endedGate, 1) == 0;
    }

    public bool TrySetScheduled() => Interlocked.Exchange(ref _scheduled, 1) == 0;

    /// <summary>
    /// A full fence, not a release store: the writer reads <see cref="IsEnding"/> and the pipes
    /// right after this, while <see cref="TryBeginEnd"/> sets the flag and then tries to schedule.
    /// With a plain store the two threads can each miss the other's write (store-load
    /// reordering), and the END_REQUEST is never sent.
    /// </summary>
    public void ClearScheduled() => Interlocked.Exchange(ref _scheduled, 0);

    /// <summary>The handler returned: release what it held, whatever the end path was.</summary>
    public void ReleaseHandlerSide()
    {
        OutputWriter?.CompleteInner();
        ErrorWriter?.CompleteInner();
        Stdin?.Reader.Complete();
        Data?.Reader.Complete();
    }

    public override string ToString() => $"Request({Id}, {Role})";
}
