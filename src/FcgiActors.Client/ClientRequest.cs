using System.IO.Pipelines;
using FcgiActors.Actors;
using FcgiActors.Protocol;

namespace FcgiActors.Client;

/// <summary>
/// The client side of one active request ID on a backend connection. The connection actor
/// creates it and owns its table entry; the socket read loop writes its response pipes; the
/// writer claims its head frame. Fields say who writes them.
/// </summary>
internal sealed class ClientRequest
{
    // The head frame (BEGIN_REQUEST + PARAMS [+ a small whole body]): Queued until the writer
    // claims it (Sending), then Written once flushed. The connection actor withdraws a Queued
    // head when the connection dies (nothing was sent: the pool retries the request), or marks
    // a Sending one Failed (bytes may have reached the socket: no retry).
    private const int HeadQueued = 0, HeadSending = 1, HeadWithdrawn = 2, HeadWritten = 3, HeadFailed = 4;

    private readonly TaskCompletionSource<EndRequestBody> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IActorRef _connection;
    private readonly BackendConnection _io;
    private int _head;
    private ReadResult _inlineBody;
    private bool _holdsBody;

    // Aborts the request when the caller's token fires; disposed when the response completes.
    // Whoever comes second of "registered" (writer) and "completed" disposes it.
    private const int AbortNotRegistered = 0, AbortRegistered = 1, AbortNoLongerNeeded = 2;
    private CancellationTokenRegistration _abortOnCancel;
    private int _abortState;

    public ClientRequest(IActorRef connection, BackendConnection io, ushort id, PendingRequest pending, PipeOptions responseOptions)
    {
        _connection = connection;
        _io = io;
        Id = id;
        Pending = pending;
        Stdout = new Pipe(responseOptions);
        Stderr = new Pipe(responseOptions);
    }

    public ushort Id { get; }

    public PendingRequest Pending { get; }

    public Pipe Stdout { get; }

    public Pipe Stderr { get; }

    /// <summary>Stops the STDIN/DATA pump when the request ends or is aborted.</summary>
    public CancellationTokenSource InputCancellation { get; } = new();

    public Task<EndRequestBody> Completion => _completion.Task;

    /// <summary>The first END_REQUEST's body (read loop, before <see cref="Ended"/>).</summary>
    public EndRequestBody EndBody { get; set; }

    /// <summary>The first END_REQUEST arrived (read loop); later records for the ID are dropped.</summary>
    public bool Ended { get => Volatile.Read(ref field); set => Volatile.Write(ref field, value); }

    /// <summary>ABORT_REQUEST queued (connection actor).</summary>
    public bool AbortSent { get; set; }

    /// <summary>The whole body and its closing empty record are queued (pump, or the head when inline).</summary>
    public bool InputComplete { get => Volatile.Read(ref field); set => Volatile.Write(ref field, value); }

    /// <summary>The empty STDOUT record arrived (read loop only).</summary>
    public bool StdoutEnded { get; set; }

    /// <summary>The empty STDERR record arrived (read loop only).</summary>
    public bool StderrEnded { get; set; }

    /// <summary>True when the head frame also carries the whole (small or empty) body and its end.</summary>
    public bool HasInlineBody { get; private set; }

    /// <summary>
    /// The body went into the head frame. A read of the caller's reader stays open until the
    /// head is sent (then consumed) or withdrawn (then given back untouched, for a retry).
    /// </summary>
    public void SetInlineBody(ReadResult? read)
    {
        if (read is { } held)
        {
            _inlineBody = held;
            _holdsBody = true;
        }

        HasInlineBody = true;
        InputComplete = true;
    }

    /// <summary>The writer claims the head: from here on some byte may reach the socket.</summary>
    public bool TryClaimHead() => Interlocked.CompareExchange(ref _head, HeadSending, HeadQueued) == HeadQueued;

    /// <summary>
    /// The connection died with the head still queued: nothing was sent, the caller's body is
    /// untouched, and the request may go to another connection.
    /// </summary>
    public bool TryWithdraw()
    {
        if (Interlocked.CompareExchange(ref _head, HeadWithdrawn, HeadQueued) != HeadQueued)
        {
            return false;
        }

        if (_holdsBody)
        {
            Pending.Request.Stdin!.AdvanceTo(_inlineBody.Buffer.Start);
        }

        return true;
    }

    /// <summary>The connection died while the head was being written: it counts as started.</summary>
    public void FailHead(Exception error)
    {
        if (Interlocked.CompareExchange(ref _head, HeadFailed, HeadSending) == HeadSending)
        {
            ReleaseInlineBody();
        }

        Pending.TryFail(error);
    }

    /// <summary>
    /// The head was flushed (writer): the request started. Hands the response to the caller,
    /// then streams the body; a caller that gave up meanwhile gets the request aborted.
    /// </summary>
    public void OnHeadWritten()
    {
        if (Interlocked.CompareExchange(ref _head, HeadWritten, HeadSending) != HeadSending)
        {
            return;
        }

        ReleaseInlineBody();
        if (!HasInlineBody)
        {
            _io.StartPump(this);
        }

        if (!Pending.TryStart(new FcgiResponse(this)))
        {
            Abort(); // cancelled while its head was on the way
            return;
        }

        var token = Pending.Cancellation;
        if (token.CanBeCanceled)
        {
            // Disposed by Completed rather than by a continuation: the completion runs its
            // continuations asynchronously, so that cost a thread-pool hop per request.
            _abortOnCancel = token.Register(static s => ((ClientRequest)s!).Abort(), this);
            if (Interlocked.CompareExchange(ref _abortState, AbortRegistered, AbortNotRegistered) == AbortNoLongerNeeded)
            {
                _abortOnCancel.Dispose();
            }
        }
    }

    /// <summary>§5.4: asks the connection actor to abort; no-op once the request ended.</summary>
    public void Abort()
    {
        if (!Ended && !_completion.Task.IsCompleted)
        {
            _connection.Tell(new BackendConnectionActor.AbortRequest(this));
        }
    }

    public bool TrySetResult(EndRequestBody body) => Completed(_completion.TrySetResult(body));

    public bool TrySetException(Exception exception) => Completed(_completion.TrySetException(exception));

    private bool Completed(bool set)
    {
        if (set)
        {
            if (Interlocked.Exchange(ref _abortState, AbortNoLongerNeeded) == AbortRegistered)
            {
                _abortOnCancel.Dispose();
            }

            Pending.OnResponseCompleted();
        }

        return set;
    }

    /// <summary>Completes both response streams (read loop only); idempotent.</summary>
    public void CompleteOutput()
    {
        if (!StdoutEnded)
        {
            StdoutEnded = true;
            Stdout.Writer.Complete();
        }

        if (!StderrEnded)
        {
            StderrEnded = true;
            Stderr.Writer.Complete();
        }
    }

    private void ReleaseInlineBody()
    {
        if (_holdsBody)
        {
            var stdin = Pending.Request.Stdin!;
            stdin.AdvanceTo(_inlineBody.Buffer.End);
            stdin.Complete();
        }
    }

    public override string ToString() => $"ClientRequest(id={Id})";
}
