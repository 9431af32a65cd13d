namespace FcgiActors.Hocon;

/// <summary>Reads HOCON (Lightbend HOCON.md) into a resolved <see cref="HoconObject"/>.</summary>
public static class HoconReader
{
    /// <summary>Parses and resolves one text.</summary>
    /// <exception cref="HoconException">Malformed text or an unresolvable substitution, with file:line:column.</exception>
    public static HoconObject Parse(string text, string name = "<string>", HoconReaderOptions? options = null)
        => Parse([new HoconSource(text, name)], options);

    /// <summary>Parses and resolves one file; relative includes are relative to its directory.</summary>
    public static HoconObject ParseFile(string path, HoconReaderOptions? options = null)
        => Parse([HoconSource.FromFile(path)], options);

    /// <summary>
    /// Parses the sources in order into one tree, as if they were one file (later ones override
    /// or merge with earlier ones, and may refer to them), then resolves substitutions once.
    /// </summary>
    public static HoconObject Parse(IEnumerable<HoconSource> sources, HoconReaderOptions? options = null)
    {
        var root = new HoconObject(new HoconPosition("<root>", 1, 1));
        var context = new HoconParseContext(root);
        foreach (var source in sources)
        {
            HoconParser.ParseDocument(source, root, [], context);
        }
        return new HoconResolver(root, (options ?? HoconReaderOptions.Default).EnvironmentVariables).Resolve();
    }
}
