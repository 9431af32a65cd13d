using Microsoft.Extensions.Configuration;

namespace FcgiActors.Hocon;

/// <summary>Loads a HOCON file; includes resolve relative to the file's directory.</summary>
public sealed class HoconFileConfigurationProvider : FileConfigurationProvider
{
    /// <summary>Creates the provider for <paramref name="source"/>.</summary>
    public HoconFileConfigurationProvider(HoconFileConfigurationSource source)
        : base(source)
    {
    }

    /// <summary>The resolved tree last loaded.</summary>
    public HoconObject? Root { get; private set; }

    /// <summary>
    /// Loads the file, letting a <see cref="HoconException"/> (file:line:column) through rather
    /// than the InvalidDataException the base class wraps every error in.
    /// </summary>
    public override void Load()
    {
        var file = Source.FileProvider?.GetFileInfo(Source.Path ?? "");
        if (file is null || !file.Exists)
        {
            base.Load(); // missing file: empty when optional, FileNotFoundException otherwise
            return;
        }
        using (var stream = file.CreateReadStream())
        {
            Load(stream);
        }
        OnReload();
    }

    /// <inheritdoc />
    public override void Load(Stream stream)
    {
        var source = (HoconFileConfigurationSource)Source;
        var physical = source.FileProvider?.GetFileInfo(source.Path ?? "").PhysicalPath;
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var hocon = new HoconSource(text, physical ?? source.Path ?? "<file>", physical is null ? null : Path.GetDirectoryName(physical));
        Root = HoconReader.Parse([hocon], source.Options);
        Data = HoconConfigurationFlattener.Flatten(Root);
    }
}
