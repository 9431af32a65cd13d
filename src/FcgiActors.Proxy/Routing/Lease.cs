namespace FcgiActors.Proxy.Routing;

/// <summary>A slot in a pool's concurrency budget, held on one backend of that pool.</summary>
internal sealed record Lease(string Pool, int Backend);
