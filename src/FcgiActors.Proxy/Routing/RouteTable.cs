namespace FcgiActors.Proxy.Routing;

/// <summary>
/// Picks a pool for a front request: the first rule whose param starts with its prefix
/// (ordinal, as sent by the web server), else the default pool.
/// </summary>
internal sealed class RouteTable
{
    private readonly IReadOnlyList<RouteSettings> _routes;
    private readonly string _defaultPool;

    public RouteTable(IReadOnlyList<RouteSettings> routes, string defaultPool)
    {
        _routes = routes;
        _defaultPool = defaultPool;
    }

    /// <summary>The pool for a request whose params are read through <paramref name="getParam"/>.</summary>
    public string Select(Func<string, string?> getParam)
    {
        foreach (var route in _routes)
        {
            var value = getParam(route.Param);
            if (value is not null && value.StartsWith(route.Prefix, StringComparison.Ordinal))
            {
                return route.Pool;
            }
        }

        return _defaultPool;
    }
}
