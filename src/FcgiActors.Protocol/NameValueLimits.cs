namespace FcgiActors.Protocol;

/// <summary>
/// Bounds on a name-value stream, checked against the declared lengths before anything is
/// buffered for them.
/// </summary>
/// <param name="MaxNameLength">Longest name, in bytes.</param>
/// <param name="MaxValueLength">Longest value, in bytes.</param>
/// <param name="MaxTotalBytes">Most encoded bytes in the whole stream.</param>
/// <param name="MaxPairs">Most pairs in the whole stream.</param>
public sealed record NameValueLimits(int MaxNameLength, int MaxValueLength, long MaxTotalBytes, int MaxPairs)
{
    /// <summary>
    /// Defaults for PARAMS from a web server: nginx and lighttpd cap one PARAMS record at
    /// 64 KiB; we allow several for large cookies while keeping memory per request bounded.
    /// </summary>
    public static NameValueLimits Default { get; } = new(
        MaxNameLength: 4096, MaxValueLength: 64 * 1024, MaxTotalBytes: 256 * 1024, MaxPairs: 1024);

    /// <summary>
    /// Bounds for GET_VALUES bodies: only the one record they arrive in. The body is already in
    /// memory and handling keeps nothing per pair, so nothing is gained by refusing more: a
    /// query repeating a name 100 times, or asking for a 1,000-byte name we do not know, must
    /// still be answered with the variables we do know (§4.1: "the application ... ignores
    /// unrecognized names"), not refused.
    /// </summary>
    public static NameValueLimits Management { get; } = new(
        MaxNameLength: FcgiConstants.MaxContentLength, MaxValueLength: FcgiConstants.MaxContentLength,
        MaxTotalBytes: FcgiConstants.MaxContentLength,
        MaxPairs: FcgiConstants.MaxContentLength / 2);

    /// <summary>Only the encoding's own limits: for tests and trusted peers.</summary>
    public static NameValueLimits Unbounded { get; } = new(int.MaxValue, int.MaxValue, long.MaxValue, int.MaxValue);
}
