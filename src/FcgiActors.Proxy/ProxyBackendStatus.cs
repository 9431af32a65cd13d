namespace FcgiActors.Proxy;

/// <summary>A snapshot of one backend of a pool, for operators and tests.</summary>
/// <param name="Pool">Pool name.</param>
/// <param name="Index">Backend index in the pool (configured backends first, then spawned slots).</param>
/// <param name="Address">Backend address.</param>
/// <param name="Pid">PID of the spawned process serving it, 0 when not spawned or not running.</param>
/// <param name="Starts">How many times its process was started (0 when not spawned).</param>
/// <param name="OutstandingRequests">Requests sent and not yet ended.</param>
/// <param name="OpenConnections">Connections open to it.</param>
public sealed record ProxyBackendStatus(string Pool, int Index, string Address, int Pid, int Starts, int OutstandingRequests, int OpenConnections);
