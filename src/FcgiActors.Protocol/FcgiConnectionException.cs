namespace FcgiActors.Protocol;

/// <summary>
/// A connection error: the byte stream can no longer be trusted (bad version, impossible
/// lengths, an application record on request ID 0, a BEGIN_REQUEST for an active ID). The
/// connection is closed and every request on it ends.
/// </summary>
public sealed class FcgiConnectionException : FcgiProtocolException
{
    public FcgiConnectionException(string message) : base(message) { }

    public FcgiConnectionException(string message, Exception inner) : base(message, inner) { }
}
