using Microsoft.Extensions.Configuration;

namespace FcgiActors.Hocon;

/// <summary>A HOCON stream as a configuration source (read once).</summary>
public sealed class HoconStreamConfigurationSource : StreamConfigurationSource
{
    /// <summary>Name used in error positions.</summary>
    public string Name { get; set; } = "<stream>";

    /// <summary>Reader options (environment lookups).</summary>
    public HoconReaderOptions Options { get; set; } = HoconReaderOptions.Default;

    /// <inheritdoc />
    public override IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(this);

    private sealed class Provider(HoconStreamConfigurationSource source) : StreamConfigurationProvider(source)
    {
        public override void Load(Stream stream)
        {
            using var reader = new StreamReader(stream);
            var root = HoconReader.Parse([new HoconSource(reader.ReadToEnd(), source.Name)], source.Options);
            Data = HoconConfigurationFlattener.Flatten(root);
        }
    }
}
