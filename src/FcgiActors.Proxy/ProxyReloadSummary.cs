namespace FcgiActors.Proxy;

/// <summary>What <see cref="FcgiProxy.ReloadAsync"/> applied.</summary>
/// <param name="Generation">The number of the configuration now in effect (1 for the one the proxy started with).</param>
/// <param name="KeptPools">Pools whose settings did not change: same connections, same processes.</param>
/// <param name="StartedPools">Pools added or changed: built (and their processes spawned) before the swap.</param>
/// <param name="StoppedPools">Pools removed or changed: closed and their processes stopped once the old configuration's requests end.</param>
/// <param name="Routes">The number of routing rules now in effect.</param>
/// <param name="ListenChanged">fcgi.proxy.listen differs from the addresses bound at start; not applied (a restart is needed).</param>
public sealed record ProxyReloadSummary(
    int Generation,
    IReadOnlyList<string> KeptPools,
    IReadOnlyList<string> StartedPools,
    IReadOnlyList<string> StoppedPools,
    int Routes,
    bool ListenChanged);
