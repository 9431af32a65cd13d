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
    /// True when BEGIN_REQUEST may have reached the backend: the application may have acted on
    /// the request, so a retry is not safe unless the request is idempotent.
    /// </summary>
    public bool RequestStarted { get; }
}
