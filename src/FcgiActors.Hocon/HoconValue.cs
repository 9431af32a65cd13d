using System.Text;

namespace FcgiActors.Hocon;

/// <summary>
/// A value of a HOCON tree. Trees returned by <see cref="HoconReader"/> are resolved: only
/// <see cref="HoconObject"/>, <see cref="HoconArray"/> and <see cref="HoconScalar"/> appear.
/// </summary>
public abstract class HoconValue
{
    private protected HoconValue(HoconPosition position) => Position = position;

    internal HoconPosition Position { get; }

    /// <summary>"file:line:column" where the value was written.</summary>
    public string Origin => Position.ToString();

    /// <summary>The JSON type of the value.</summary>
    public abstract HoconValueKind Kind { get; }

    /// <summary>
    /// Renders the value as JSON: numbers, booleans, null, arrays and objects as themselves,
    /// strings (durations and sizes included) as the strings written.
    /// </summary>
    public string ToJson(bool indented = true)
    {
        var sb = new StringBuilder();
        WriteJson(sb, indented, 0);
        return sb.ToString();
    }

    internal abstract void WriteJson(StringBuilder sb, bool indented, int depth);

    /// <summary>A copy that later parsing cannot mutate (objects are mutable while parsing).</summary>
    internal virtual HoconValue Snapshot() => this;

    /// <inheritdoc />
    public override string ToString() => ToJson(indented: false);
}
