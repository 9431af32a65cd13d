using Microsoft.Extensions.Configuration;

namespace FcgiActors.Hocon;

/// <summary>A HOCON file as a configuration source (optional, reload on change like JSON files).</summary>
public sealed class HoconFileConfigurationSource : FileConfigurationSource
{
    /// <summary>Reader options (environment lookups).</summary>
    public HoconReaderOptions Options { get; set; } = HoconReaderOptions.Default;

    /// <inheritdoc />
    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new HoconFileConfigurationProvider(this);
    }
}
