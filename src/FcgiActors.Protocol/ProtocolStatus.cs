namespace FcgiActors.Protocol;

/// <summary>protocolStatus of an END_REQUEST body (§5.5).</summary>
public enum ProtocolStatus : byte
{
    RequestComplete = 0, // FCGI_REQUEST_COMPLETE
    CantMpxConn = 1,     // FCGI_CANT_MPX_CONN
    Overloaded = 2,      // FCGI_OVERLOADED
    UnknownRole = 3,     // FCGI_UNKNOWN_ROLE
}
