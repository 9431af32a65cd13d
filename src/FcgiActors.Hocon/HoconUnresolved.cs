using System.Text;

namespace FcgiActors.Hocon;

/// <summary>
/// Base of the parse-time nodes that only exist until substitutions are resolved
/// (HOCON.md "Substitutions": resolution is the last parsing step).
/// </summary>
internal abstract class HoconUnresolved : HoconValue
{
    private protected HoconUnresolved(HoconPosition position)
        : base(position)
    {
    }

    public override HoconValueKind Kind => throw new InvalidOperationException("unresolved HOCON value");

    internal override void WriteJson(StringBuilder sb, bool indented, int depth) => sb.Append(ToDebugString());

    internal abstract string ToDebugString();
}

/// <summary>${path} or ${?path}. Candidates are tried in order (an include's fixed-up path first).</summary>
internal sealed class HoconSubstitution : HoconUnresolved
{
    public HoconSubstitution(IReadOnlyList<IReadOnlyList<string>> candidates, bool optional, bool environmentOnly, string text, HoconPosition position)
        : base(position)
    {
        Candidates = candidates;
        Optional = optional;
        EnvironmentOnly = environmentOnly;
        Text = text;
    }

    public IReadOnlyList<IReadOnlyList<string>> Candidates { get; }

    public bool Optional { get; }

    /// <summary>A self-reference with no previous value: only the environment can answer.</summary>
    public bool EnvironmentOnly { get; }

    public string Text { get; }

    internal override string ToDebugString() => Text;
}

/// <summary>Parts of a value concatenation, whitespace separators included.</summary>
internal sealed class HoconConcatenation : HoconUnresolved
{
    public HoconConcatenation(IReadOnlyList<HoconValue> parts, HoconPosition position)
        : base(position) => Parts = parts;

    public IReadOnlyList<HoconValue> Parts { get; }

    internal override HoconValue Snapshot() => new HoconConcatenation(Parts.Select(p => p.Snapshot()).ToList(), Position);

    internal override string ToDebugString() => string.Concat(Parts.Select(p => p is HoconUnresolved u ? u.ToDebugString() : p.ToJson(false)));
}

/// <summary>
/// Successive values of one field, oldest first, when a later one is unresolved: the newest
/// defined value wins, and adjacent objects merge (HOCON.md "Duplicate keys").
/// </summary>
internal sealed class HoconMergeStack : HoconUnresolved
{
    public HoconMergeStack(IReadOnlyList<HoconValue> layers, HoconPosition position)
        : base(position) => Layers = layers;

    public IReadOnlyList<HoconValue> Layers { get; }

    internal override HoconValue Snapshot() => new HoconMergeStack(Layers.Select(p => p.Snapshot()).ToList(), Position);

    internal override string ToDebugString() => "merge(" + string.Join(", ", Layers.Select(l => l is HoconUnresolved u ? u.ToDebugString() : l.ToJson(false))) + ")";
}

/// <summary>The value at <see cref="Path"/> inside an unresolved value (a self-reference's previous value).</summary>
internal sealed class HoconPathLookup : HoconUnresolved
{
    public HoconPathLookup(HoconValue root, IReadOnlyList<string> path, HoconPosition position)
        : base(position)
    {
        Root = root;
        Path = path;
    }

    public HoconValue Root { get; }

    public IReadOnlyList<string> Path { get; }

    internal override string ToDebugString() => "lookup(" + HoconPathBuilder.Render(Path) + ")";
}

/// <summary>An optional self-reference with no previous value: as if absent.</summary>
internal sealed class HoconUndefined : HoconUnresolved
{
    public HoconUndefined(HoconPosition position)
        : base(position)
    {
    }

    internal override string ToDebugString() => "undefined";
}
