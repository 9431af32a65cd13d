namespace FcgiActors.Client;

/// <summary>
/// A request could not be completed by its backend: the connection failed or closed before
/// END_REQUEST, the backend broke the protocol, or the pool could not reach it.
/// </summary>
public sealed class FcgiBackendException : Exception
{
    public FcgiBackendException(string message, BackendAddress backend, bool requestStarted, Exception? inner = null)
        : base(message, inner)
    {
        Backend = backend;
        RequestStarted = requestStarted;
    }

    /// <summary>The backend the request was meant for.</summary>
    public BackendAddress Backend { get; }

    /// <summary>
    /// True exactly when some byte of the request reached the socket: the application may have
    /// acted on it, so a retry is not safe unless the request is idempotent. False: nothing was
    /// sent and the request's body readers are untouched, so it may go to another backend.
    /// </summary>
    public bool RequestStarted { get; }
}
