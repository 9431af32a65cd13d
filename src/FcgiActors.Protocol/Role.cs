namespace FcgiActors.Protocol;

/// <summary>The role in a BEGIN_REQUEST body (§5.1, §6).</summary>
public enum Role : ushort
{
    Responder = 1,  // FCGI_RESPONDER
    Authorizer = 2, // FCGI_AUTHORIZER
    Filter = 3,     // FCGI_FILTER
}
