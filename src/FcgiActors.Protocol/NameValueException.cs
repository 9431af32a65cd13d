namespace FcgiActors.Protocol;

/// <summary>
/// A name-value stream (PARAMS, GET_VALUES) is malformed or exceeds a configured limit. The
/// record framing is intact, so the caller decides the scope: for PARAMS the request fails
/// and the connection goes on.
/// </summary>
public sealed class NameValueException : FcgiProtocolException
{
    public NameValueException(NameValueError error, string message) : base(message) => Error = error;

    public NameValueError Error { get; }
}

/// <summary>Why a name-value stream was rejected.</summary>
public enum NameValueError
{
    /// <summary>The stream ended inside a length or a pair.</summary>
    Truncated,
    /// <summary>A name is longer than the configured limit.</summary>
    NameTooLong,
    /// <summary>A value is longer than the configured limit.</summary>
    ValueTooLong,
    /// <summary>The stream holds more bytes than the configured limit.</summary>
    TooManyBytes,
    /// <summary>The stream holds more pairs than the configured limit.</summary>
    TooManyPairs,
}
