namespace FcgiActors.Proxy;

/// <summary>
/// What a front request gets when its pool is full and its queue too (or the wait timed out):
/// a CGI response with <see cref="Status"/> on STDOUT, then END_REQUEST with
/// <see cref="ProtocolStatus"/> — nginx and Apache ignore protocolStatus, so the status line
/// is what a browser sees (FASTCGI-NOTES "What real peers do").
/// </summary>
public sealed record OverloadPolicy
{
    /// <summary>503, "Service Unavailable", OVERLOADED.</summary>
    public static OverloadPolicy Default { get; } = new();

    /// <summary>HTTP status written as `Status: NNN`; fcgi.proxy.overload.status.</summary>
    public int Status { get; init; } = 503;

    /// <summary>Response body (text/plain); fcgi.proxy.overload.body.</summary>
    public string Body { get; init; } = "Service Unavailable: the FastCGI backends are busy.\n";

    /// <summary>Seconds for a `Retry-After` header, 0 for none; fcgi.proxy.overload.retry-after.</summary>
    public int RetryAfterSeconds { get; init; }

    /// <summary>END_REQUEST protocolStatus: OVERLOADED (§5.5) unless configured otherwise; fcgi.proxy.overload.protocol-status.</summary>
    public FcgiActors.Protocol.ProtocolStatus ProtocolStatus { get; init; } = FcgiActors.Protocol.ProtocolStatus.Overloaded;
}
