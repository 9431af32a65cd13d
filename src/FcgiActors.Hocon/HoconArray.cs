using System.Text;

namespace FcgiActors.Hocon;

/// <summary>A HOCON array.</summary>
public sealed class HoconArray : HoconValue
{
    internal HoconArray(IReadOnlyList<HoconValue> items, HoconPosition position)
        : base(position) => Items = items;

    /// <inheritdoc />
    public override HoconValueKind Kind => HoconValueKind.Array;

    /// <summary>The elements in order.</summary>
    public IReadOnlyList<HoconValue> Items { get; }

    internal override HoconValue Snapshot() => new HoconArray(Items.Select(i => i.Snapshot()).ToList(), Position);

    internal override void WriteJson(StringBuilder sb, bool indented, int depth)
    {
        if (Items.Count == 0)
        {
            sb.Append("[]");
            return;
        }
        sb.Append('[');
        for (var i = 0; i < Items.Count; i++)
        {
            if (i > 0) sb.Append(',');
            HoconObject.NewLine(sb, indented, depth + 1);
            Items[i].WriteJson(sb, indented, depth + 1);
        }
        HoconObject.NewLine(sb, indented, depth);
        sb.Append(']');
    }
}
