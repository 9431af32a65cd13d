namespace FcgiActors.Protocol;

/// <summary>flags of a BEGIN_REQUEST body (§5.1).</summary>
[Flags]
public enum BeginRequestFlags : byte
{
    None = 0,
    /// <summary>FCGI_KEEP_CONN: the application keeps the connection open after this request.</summary>
    KeepConn = 1,
}
