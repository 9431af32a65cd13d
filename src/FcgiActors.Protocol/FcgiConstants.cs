namespace FcgiActors.Protocol;

/// <summary>Numbers fixed by the specification (§3.3, §8).</summary>
public static class FcgiConstants
{
    /// <summary>FCGI_VERSION_1.</summary>
    public const byte Version1 = 1;

    /// <summary>FCGI_HEADER_LEN.</summary>
    public const int HeaderLength = 8;

    /// <summary>FCGI_NULL_REQUEST_ID: the ID of management records.</summary>
    public const ushort NullRequestId = 0;

    /// <summary>The largest contentLength a header can carry.</summary>
    public const int MaxContentLength = ushort.MaxValue;

    /// <summary>The largest paddingLength a header can carry.</summary>
    public const int MaxPaddingLength = byte.MaxValue;

    /// <summary>The largest whole record on the wire: header, content and padding.</summary>
    public const int MaxRecordLength = HeaderLength + MaxContentLength + MaxPaddingLength;

    /// <summary>
    /// The content size used when a stream is split into records: the largest multiple of 8
    /// not above 65535, so records need no padding and content+padding stays ≤ 65535
    /// (PHP-FPM rejects records whose content+padding exceeds 65535).
    /// </summary>
    public const int MaxAlignedContentLength = 65528;

    /// <summary>Length of the BEGIN_REQUEST, END_REQUEST and UNKNOWN_TYPE bodies.</summary>
    public const int BodyLength = 8;

    /// <summary>FCGI_LISTENSOCK_FILENO: the listen socket a web server hands a spawned application (§2.2).</summary>
    public const int ListenSocketFileNo = 0;

    /// <summary>FCGI_MAX_CONNS: management variable name (§4.1).</summary>
    public const string MaxConns = "FCGI_MAX_CONNS";

    /// <summary>FCGI_MAX_REQS: management variable name (§4.1).</summary>
    public const string MaxReqs = "FCGI_MAX_REQS";

    /// <summary>FCGI_MPXS_CONNS: management variable name (§4.1).</summary>
    public const string MpxsConns = "FCGI_MPXS_CONNS";

    /// <summary>
    /// Pipes that carry records must be able to hold a whole record before the reader can
    /// consume it: a pause threshold below this deadlocks on a 64 KiB record.
    /// </summary>
    public const int MinimumPipePauseThreshold = 2 * MaxRecordLength;
}
