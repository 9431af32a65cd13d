using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace FcgiActors.Hocon;

/// <summary>A HOCON object; fields keep the order in which they were first defined.</summary>
public sealed class HoconObject : HoconValue
{
    private readonly OrderedDictionary<string, HoconValue> _fields = new(StringComparer.Ordinal);

    internal HoconObject(HoconPosition position)
        : base(position)
    {
    }

    /// <inheritdoc />
    public override HoconValueKind Kind => HoconValueKind.Object;

    /// <summary>The fields, in order.</summary>
    public IReadOnlyDictionary<string, HoconValue> Fields => _fields;

    /// <summary>Looks up a dotted HOCON path ("fcgi.proxy.listen"); null when absent.</summary>
    public HoconValue? GetValue(string path)
    {
        var elements = HoconPathBuilder.Build([(path, false)], new HoconPosition("<path>", 1, 1));
        HoconValue? node = this;
        foreach (var e in elements)
        {
            if (node is not HoconObject o || !o._fields.TryGetValue(e, out node)) return null;
        }
        return node;
    }

    internal bool TryGet(string key, [NotNullWhen(true)] out HoconValue? value) => _fields.TryGetValue(key, out value);

    internal void Set(string key, HoconValue value) => _fields[key] = value;

    internal override HoconValue Snapshot()
    {
        var copy = new HoconObject(Position);
        foreach (var (k, v) in _fields) copy._fields[k] = v.Snapshot();
        return copy;
    }

    internal override void WriteJson(StringBuilder sb, bool indented, int depth)
    {
        if (_fields.Count == 0)
        {
            sb.Append("{}");
            return;
        }
        sb.Append('{');
        var first = true;
        foreach (var (k, v) in _fields)
        {
            if (!first) sb.Append(',');
            first = false;
            NewLine(sb, indented, depth + 1);
            HoconScalar.WriteJsonString(sb, k);
            sb.Append(indented ? ": " : ":");
            v.WriteJson(sb, indented, depth + 1);
        }
        NewLine(sb, indented, depth);
        sb.Append('}');
    }

    internal static void NewLine(StringBuilder sb, bool indented, int depth)
    {
        if (indented) sb.Append('\n').Append(' ', depth * 2);
    }
}
