using System.IO.Pipelines;
using FcgiActors.Protocol;

namespace FcgiActors.Client;

/// <summary>
/// The answer to one request, as it streams in. STDOUT and STDERR are pipes with bounded
/// buffers: read both (or dispose the response), or the backend connection pauses reading.
/// The streams also end when the connection fails; only <see cref="Completion"/> tells a
/// complete response (END_REQUEST) from a cut one, so always await it.
/// </summary>
public sealed class FcgiResponse : IAsyncDisposable
{
    private readonly ClientRequest _request;

    internal FcgiResponse(ClientRequest request)
    {
        _request = request;
        Stdout = request.Stdout.Reader;
        Stderr = request.Stderr.Reader;
    }

    /// <summary>The application's FCGI_STDOUT stream; completes at its empty record.</summary>
    public PipeReader Stdout { get; }

    /// <summary>The application's FCGI_STDERR stream; completes at its empty record or END_REQUEST.</summary>
    public PipeReader Stderr { get; }

    /// <summary>
    /// The first END_REQUEST body for this request (later ones are dropped). Faults with
    /// <see cref="FcgiBackendException"/> when the connection fails or closes before it.
    /// </summary>
    public Task<EndRequestBody> Completion => _request.Completion;

    /// <summary>
    /// Always true: a response exists only once BEGIN_REQUEST reached a socket (the pool moves
    /// a request that never got that far to another connection, or fails it with
    /// <see cref="FcgiBackendException.RequestStarted"/> false). The backend may act on it.
    /// </summary>
    public bool RequestStarted => true;

    /// <summary>The request ID used on the backend connection (for logs).</summary>
    public ushort RequestId => _request.Id;

    /// <summary>
    /// Stops reading the response. A request still running is aborted (FCGI_ABORT_REQUEST);
    /// its remaining output is dropped.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        Stdout.Complete();
        Stderr.Complete();
        _request.Abort();
        return ValueTask.CompletedTask;
    }
}
