namespace FcgiActors.Client;

/// <summary>
/// What the pool actor publishes for <see cref="BackendPool"/>'s properties: written by the
/// actor only, read from any thread.
/// </summary>
internal sealed class BackendPoolStatus
{
    private int _openConnections;
    private int _unhealthy;

    public int OpenConnections
    {
        get => Volatile.Read(ref _openConnections);
        set => Volatile.Write(ref _openConnections, value);
    }

    public bool IsHealthy
    {
        get => Volatile.Read(ref _unhealthy) == 0;
        set => Volatile.Write(ref _unhealthy, value ? 0 : 1);
    }
}
