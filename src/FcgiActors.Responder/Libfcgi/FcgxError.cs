namespace FcgiActors.Responder.Libfcgi;

/// <summary>The last error of a request: a negative code and what happened (FCGX_GetError with words).</summary>
public readonly record struct FcgxError(FcgxErrorCode Code, string Description)
{
    /// <summary>No error.</summary>
    public static FcgxError None { get; } = new(FcgxErrorCode.None, "");

    /// <summary>The code as libfcgi returns it (0 or negative).</summary>
    public int Value => (int)Code;
}
