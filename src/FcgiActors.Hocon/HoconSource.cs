namespace FcgiActors.Hocon;

/// <summary>
/// One HOCON text to read: <paramref name="Name"/> appears in error positions,
/// <paramref name="Directory"/> anchors relative includes (null: the working directory).
/// </summary>
public sealed record HoconSource(string Text, string Name, string? Directory = null)
{
    /// <summary>Reads a file (UTF-8); includes resolve relative to its directory.</summary>
    public static HoconSource FromFile(string path)
    {
        var full = Path.GetFullPath(path);
        return new HoconSource(File.ReadAllText(full), path, Path.GetDirectoryName(full));
    }
}
