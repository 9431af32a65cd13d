using System.IO.Pipelines;
using FcgiActors.Protocol;

namespace FcgiActors.Client;

/// <summary>
/// The client side of one active request ID on a backend connection. The connection owns it;
/// the fields marked "connection lock" change only under that connection's lock.
/// </summary>
internal sealed class ClientRequest
{
    private readonly TaskCompletionSource<EndRequestBody> _completion =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ClientRequest(BackendConnection connection, ushort id, PipeOptions responseOptions)
    {
        Connection = connection;
        Id = id;
        Stdout = new Pipe(responseOptions);
        Stderr = new Pipe(responseOptions);
    }

    public BackendConnection Connection { get; }

    public ushort Id { get; }

    public Pipe Stdout { get; }

    public Pipe Stderr { get; }

    /// <summary>Stops the STDIN/DATA pump when the request ends or is aborted.</summary>
    public CancellationTokenSource InputCancellation { get; } = new();

    public Task<EndRequestBody> Completion => _completion.Task;

    /// <summary>END_REQUEST received or the connection failed (connection lock).</summary>
    public bool Ended { get; set; }

    /// <summary>ABORT_REQUEST queued (connection lock).</summary>
    public bool AbortSent { get; set; }

    /// <summary>Every STDIN (and DATA) byte and the closing empty record reached the transport.</summary>
    public bool InputComplete { get; set; }

    /// <summary>The empty STDOUT record arrived (read loop only).</summary>
    public bool StdoutEnded { get; set; }

    /// <summary>The empty STDERR record arrived (read loop only).</summary>
    public bool StderrEnded { get; set; }

    public void Abort() => Connection.Abort(this);

    public bool TrySetResult(EndRequestBody body) => _completion.TrySetResult(body);

    public bool TrySetException(Exception exception) => _completion.TrySetException(exception);

    /// <summary>Completes both response streams (with an error when given); idempotent.</summary>
    public void CompleteOutput(Exception? error = null)
    {
        if (!StdoutEnded)
        {
            StdoutEnded = true;
            Stdout.Writer.Complete(error);
        }

        if (!StderrEnded)
        {
            StderrEnded = true;
            Stderr.Writer.Complete(error);
        }
    }

    public override string ToString() => $"ClientRequest(id={Id})";
}
