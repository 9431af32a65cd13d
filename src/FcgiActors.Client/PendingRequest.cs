namespace FcgiActors.Client;

/// <summary>
/// One <see cref="BackendPool.SendAsync"/> call on its way to a connection. It completes once
/// its BEGIN_REQUEST reached a socket (the response), or fails before that. Until then nothing
/// of it was sent, so the pool may move it to another connection: its body reader stays untouched.
/// </summary>
internal sealed class PendingRequest
{
    private readonly TaskCompletionSource<FcgiResponse> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action? _finished;
    private int _received;
    private int _finishSteps; // response handed to the caller, response completed: both run _finished once

    /// <param name="finished">
    /// Runs once, on whichever thread takes the second step, when the caller got the response and
    /// the response completed (never for a request whose caller got no response).
    /// </param>
    public PendingRequest(FcgiClientRequest request, bool keepConnection, CancellationToken cancellation, Action? finished = null)
    {
        Request = request;
        KeepConnection = keepConnection;
        Cancellation = cancellation;
        _finished = finished;
    }

    public FcgiClientRequest Request { get; }

    public bool KeepConnection { get; }

    public CancellationToken Cancellation { get; }

    /// <summary>Completes with the response once the request started; faults or cancels when it never will.</summary>
    public Task<FcgiResponse> Task => _started.Task;

    /// <summary>True once the caller has an answer (a response, an error or a cancellation).</summary>
    public bool IsDone => _started.Task.IsCompleted;

    /// <summary>Times a connection closed under it before any byte of it was written (pool actor only).</summary>
    public int FailedStarts { get; set; }

    /// <summary>
    /// Set by a connection actor when it takes the request: from then on that actor answers for
    /// it (started, rejected or handed back). One the pool sent to a connection that died before
    /// reading it is still unclaimed, so the pool sends it elsewhere.
    /// </summary>
    public bool Claimed => Volatile.Read(ref _received) != 0;

    public void Claim() => Volatile.Write(ref _received, 1);

    public bool TryStart(FcgiResponse response) => _started.TrySetResult(response);

    public bool TryFail(Exception error) => _started.TrySetException(error);

    public bool TryCancel() => _started.TrySetCanceled(Cancellation);

    /// <summary>The caller has the response (<see cref="BackendPool.SendAsync"/>, once).</summary>
    public void OnResponseDelivered() => StepTowardsFinished();

    /// <summary>The response completed (the request's completion was set, once).</summary>
    public void OnResponseCompleted() => StepTowardsFinished();

    // A counter instead of a continuation on the completion: that completion runs its
    // continuations asynchronously, so a continuation cost a thread-pool hop per request.
    private void StepTowardsFinished()
    {
        if (Interlocked.Increment(ref _finishSteps) == 2)
        {
            _finished?.Invoke();
        }
    }

    public override string ToString() => "PendingRequest";
}
