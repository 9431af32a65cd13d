namespace FcgiActors.Protocol;

/// <summary>
/// A request error: one request ends (END_REQUEST with <see cref="Status"/> and
/// <see cref="AppStatus"/>) and the connection goes on serving the others.
/// </summary>
public sealed class FcgiRequestException : FcgiProtocolException
{
    public FcgiRequestException(ushort requestId, string message,
        ProtocolStatus status = ProtocolStatus.RequestComplete, int appStatus = 1)
        : base(message)
    {
        RequestId = requestId;
        Status = status;
        AppStatus = appStatus;
    }

    public FcgiRequestException(ushort requestId, string message, Exception inner,
        ProtocolStatus status = ProtocolStatus.RequestComplete, int appStatus = 1)
        : base(message, inner)
    {
        RequestId = requestId;
        Status = status;
        AppStatus = appStatus;
    }

    public ushort RequestId { get; }

    public ProtocolStatus Status { get; }

    public int AppStatus { get; }
}
