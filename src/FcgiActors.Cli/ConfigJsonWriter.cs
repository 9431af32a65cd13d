using System.Globalization;
using System.Text;
using FcgiActors.Hocon;
using Microsoft.Extensions.Configuration;

namespace FcgiActors.Cli;

/// <summary>
/// Renders the effective configuration as typed JSON: values still as the HOCON files wrote
/// them keep their HOCON type; values overridden by environment or --set are typed by the
/// HOCON value they replace (or inferred from the text when the key is new).
/// </summary>
internal static class ConfigJsonWriter
{
    public static string Render(IConfiguration configuration, HoconObject? typed)
    {
        var sb = new StringBuilder();
        WriteObject(sb, configuration.GetChildren().ToList(), typed, 0);
        return sb.ToString();
    }

    /// <summary>Renders one section (e.g. "fcgi:proxy") the same way.</summary>
    public static string Render(IConfigurationSection section, HoconValue? typed)
    {
        var sb = new StringBuilder();
        WriteValue(sb, section, typed, 0);
        return sb.ToString();
    }

    private static void WriteValue(StringBuilder sb, IConfigurationSection section, HoconValue? typed, int depth)
    {
        var children = section.GetChildren().ToList();
        if (children.Count > 0)
        {
            if (typed is HoconArray || (typed is null && IsIndexList(children)))
            {
                WriteArray(sb, children, typed as HoconArray, depth);
            }
            else
            {
                WriteObject(sb, children, typed as HoconObject, depth);
            }
            return;
        }
        var value = section.Value;
        switch (typed)
        {
            case HoconObject when value is null:
                sb.Append("{}");
                return;
            case HoconArray when string.IsNullOrEmpty(value):
                sb.Append("[]");
                return;
            case HoconScalar s when s.Kind != HoconValueKind.Null && s.Text == value:
                sb.Append(s.ToJson(indented: false));
                return;
        }
        if (value is null)
        {
            sb.Append("null");
            return;
        }
        // An override keeps the type of the value it replaces when its text allows it.
        var inferred = HoconScalar.KindOfUnquoted(value);
        var kind = typed is HoconScalar { Kind: not HoconValueKind.Null } t ? t.Kind : inferred;
        if (kind == inferred && kind is HoconValueKind.Number or HoconValueKind.Boolean)
        {
            sb.Append(value);
        }
        else
        {
            sb.Append(HoconScalar.JsonString(value));
        }
    }

    private static bool IsIndexList(List<IConfigurationSection> children)
    {
        var indexes = children.Select(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1).ToList();
        return indexes.All(i => i >= 0) && indexes.Order().SequenceEqual(Enumerable.Range(0, indexes.Count));
    }

    private static void WriteObject(StringBuilder sb, List<IConfigurationSection> children, HoconObject? typed, int depth)
    {
        // HOCON order first (reference.conf reads top-down), then keys only set by overrides.
        var ordered = new List<IConfigurationSection>();
        if (typed is not null)
        {
            foreach (var key in typed.Fields.Keys)
            {
                var match = children.FirstOrDefault(c => string.Equals(c.Key, key, StringComparison.OrdinalIgnoreCase));
                if (match is not null) ordered.Add(match);
            }
        }
        ordered.AddRange(children.Where(c => !ordered.Contains(c)));
        if (ordered.Count == 0)
        {
            sb.Append("{}");
            return;
        }
        sb.Append('{');
        for (var i = 0; i < ordered.Count; i++)
        {
            if (i > 0) sb.Append(',');
            NewLine(sb, depth + 1);
            var child = ordered[i];
            HoconValue? childTyped = null;
            var key = child.Key;
            if (typed is not null)
            {
                var typedKey = typed.Fields.Keys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
                if (typedKey is not null)
                {
                    key = typedKey;
                    childTyped = typed.Fields[typedKey];
                }
            }
            sb.Append(HoconScalar.JsonString(key));
            sb.Append(": ");
            WriteValue(sb, child, childTyped, depth + 1);
        }
        NewLine(sb, depth);
        sb.Append('}');
    }

    private static void WriteArray(StringBuilder sb, List<IConfigurationSection> children, HoconArray? typed, int depth)
    {
        var ordered = children.OrderBy(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue).ToList();
        sb.Append('[');
        for (var i = 0; i < ordered.Count; i++)
        {
            if (i > 0) sb.Append(',');
            NewLine(sb, depth + 1);
            var index = int.TryParse(ordered[i].Key, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
            var childTyped = typed is not null && index >= 0 && index < typed.Items.Count ? typed.Items[index] : null;
            WriteValue(sb, ordered[i], childTyped, depth + 1);
        }
        NewLine(sb, depth);
        sb.Append(']');
    }

    private static void NewLine(StringBuilder sb, int depth) => sb.Append('\n').Append(' ', depth * 2);
}
