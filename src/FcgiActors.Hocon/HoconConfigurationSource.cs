using Microsoft.Extensions.Configuration;

namespace FcgiActors.Hocon;

/// <summary>A configuration source built from HOCON texts read in order (later ones win).</summary>
public sealed class HoconConfigurationSource : IConfigurationSource
{
    /// <summary>Creates the source; <paramref name="sources"/> is called on every load.</summary>
    public HoconConfigurationSource(Func<IEnumerable<HoconSource>> sources, HoconReaderOptions? options = null)
    {
        Sources = sources;
        Options = options ?? HoconReaderOptions.Default;
    }

    /// <summary>The texts to read, in order.</summary>
    public Func<IEnumerable<HoconSource>> Sources { get; }

    /// <summary>Reader options (environment lookups).</summary>
    public HoconReaderOptions Options { get; }

    /// <summary>
    /// Keys later sources set as a whole (see <see cref="HoconConfigurationProvider"/>); the
    /// HOCON values below them are dropped. Null: none.
    /// </summary>
    public Func<IEnumerable<string>>? ReplacedKeys { get; init; }

    /// <inheritdoc />
    public IConfigurationProvider Build(IConfigurationBuilder builder)
        => new HoconConfigurationProvider(() => HoconReader.Parse(Sources(), Options), ReplacedKeys);
}
