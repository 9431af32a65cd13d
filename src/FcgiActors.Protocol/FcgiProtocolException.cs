namespace FcgiActors.Protocol;

/// <summary>Something a peer sent breaks the FastCGI protocol. The subtype says the scope.</summary>
public abstract class FcgiProtocolException : Exception
{
    protected FcgiProtocolException(string message) : base(message) { }

    protected FcgiProtocolException(string message, Exception inner) : base(message, inner) { }
}
