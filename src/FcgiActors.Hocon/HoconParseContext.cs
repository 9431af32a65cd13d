namespace FcgiActors.Hocon;

/// <summary>State shared by a document and the files it includes.</summary>
internal sealed class HoconParseContext
{
    public HoconParseContext(HoconObject root) => Root = root;

    /// <summary>The root every absolute path (and every self-reference) starts from.</summary>
    public HoconObject Root { get; }

    /// <summary>Full paths of the files being included, to refuse include cycles.</summary>
    public List<string> IncludeStack { get; } = [];
}
