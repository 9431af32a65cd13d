namespace FcgiActors.Proxy;

/// <summary>
/// One routing rule: a front request whose param <see cref="Param"/> starts with
/// <see cref="Prefix"/> (ordinal, byte-exact) goes to pool <see cref="Pool"/>. Rules are tried
/// in order; the first match wins; no match goes to the default pool.
/// </summary>
public sealed record RouteSettings(string Param, string Prefix, string Pool);
