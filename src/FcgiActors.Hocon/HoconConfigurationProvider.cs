using Microsoft.Extensions.Configuration;

namespace FcgiActors.Hocon;

/// <summary>Serves a resolved HOCON tree to Microsoft.Extensions.Configuration.</summary>
public sealed class HoconConfigurationProvider : ConfigurationProvider
{
    private readonly Func<HoconObject> _load;

    /// <summary>Creates a provider that reads its tree with <paramref name="load"/> on each Load.</summary>
    public HoconConfigurationProvider(Func<HoconObject> load) => _load = load;

    /// <summary>The resolved tree last loaded (types kept: numbers, booleans, null).</summary>
    public HoconObject? Root { get; private set; }

    /// <inheritdoc />
    public override void Load()
    {
        Root = _load();
        Data = HoconConfigurationFlattener.Flatten(Root);
    }
}
