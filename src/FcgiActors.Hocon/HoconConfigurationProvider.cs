using Microsoft.Extensions.Configuration;

namespace FcgiActors.Hocon;

/// <summary>Serves a resolved HOCON tree to Microsoft.Extensions.Configuration.</summary>
public sealed class HoconConfigurationProvider : ConfigurationProvider
{
    private readonly Func<HoconObject> _load;
    private readonly Func<IEnumerable<string>>? _replacedKeys;

    /// <summary>
    /// Creates a provider that reads its tree with <paramref name="load"/> on each Load.
    /// <paramref name="replacedKeys"/> are keys a later source sets as a whole: this provider
    /// drops what it has below them, so FCGI__PROXY__LISTEN=x replaces a HOCON list instead of
    /// hiding behind its elements (fcgi:proxy:listen:0 …), as a later HOCON value would.
    /// </summary>
    public HoconConfigurationProvider(Func<HoconObject> load, Func<IEnumerable<string>>? replacedKeys = null)
    {
        _load = load;
        _replacedKeys = replacedKeys;
    }

    /// <summary>The resolved tree last loaded (types kept: numbers, booleans, null).</summary>
    public HoconObject? Root { get; private set; }

    /// <inheritdoc />
    public override void Load()
    {
        Root = _load();
        var data = HoconConfigurationFlattener.Flatten(Root);
        foreach (var key in _replacedKeys?.Invoke() ?? [])
        {
            var below = key + ConfigurationPath.KeyDelimiter;
            foreach (var k in data.Keys.Where(k => k.StartsWith(below, StringComparison.OrdinalIgnoreCase)).ToList())
            {
                data.Remove(k);
            }
        }
        Data = data;
    }
}
