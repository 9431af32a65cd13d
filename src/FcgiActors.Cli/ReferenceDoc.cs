using System.Globalization;
using System.Text;
using FcgiActors.Hocon;

namespace FcgiActors.Cli;

/// <summary>
/// Generates the key tables of docs/configuration.md from reference.conf: each leaf key with
/// its default and the comment lines written right above it.
/// </summary>
internal static class ReferenceDoc
{
    public const string BeginMarker = "<!-- BEGIN GENERATED KEYS: fcgi config --update-doc docs/configuration.md -->";
    public const string EndMarker = "<!-- END GENERATED KEYS -->";

    public sealed record Key(string Path, string Default, string Description);

    /// <summary>Every leaf key (arrays and empty objects count as leaves), in file order.</summary>
    public static List<Key> Keys(string referenceText, string name = "reference.conf")
    {
        var root = HoconReader.Parse(referenceText, name, new HoconReaderOptions { EnvironmentVariables = _ => null });
        var lines = referenceText.Split('\n');
        var keys = new List<Key>();
        Visit(root, "", lines, keys);
        return keys;
    }

    private static void Visit(HoconObject obj, string prefix, string[] lines, List<Key> keys)
    {
        foreach (var (name, value) in obj.Fields)
        {
            var path = prefix.Length == 0 ? name : prefix + "." + name;
            if (value is HoconObject child && child.Fields.Count > 0)
            {
                Visit(child, path, lines, keys);
                continue;
            }
            keys.Add(new Key(path, DefaultText(value), Describe(lines, LineOf(value), keys)));
        }
    }

    /// <summary>
    /// The comment lines right above the key; else a comment at the end of its line; else, for
    /// a key written right under another (no blank line), that key's description (a shared comment).
    /// </summary>
    private static string Describe(string[] lines, int line, List<Key> previous)
    {
        var above = CommentAbove(lines, line);
        if (above.Length > 0) return above;
        var trailing = line >= 1 && line <= lines.Length ? TrailingComment(lines[line - 1]) : "";
        if (trailing.Length > 0) return trailing;
        var prior = line >= 2 ? lines[line - 2].Trim() : "";
        return prior.Length > 0 && previous.Count > 0 ? previous[^1].Description : "";
    }

    private static string TrailingComment(string line)
    {
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '"' && (i == 0 || line[i - 1] != '\\')) quoted = !quoted;
            if (quoted) continue;
            if (c == '#' || (c == '/' && i + 1 < line.Length && line[i + 1] == '/'))
            {
                return line[i..].TrimStart('#', '/').Trim();
            }
        }
        return "";
    }

    private static string DefaultText(HoconValue value) => value switch
    {
        HoconScalar { Kind: HoconValueKind.String } s => s.Text.Length == 0 ? "\"\"" : s.Text,
        _ => value.ToJson(indented: false),
    };

    private static int LineOf(HoconValue value)
    {
        // Origin is "file:line:column".
        var parts = value.Origin.Split(':');
        return parts.Length >= 3 && int.TryParse(parts[^2], NumberStyles.None, CultureInfo.InvariantCulture, out var line) ? line : 0;
    }

    private static string CommentAbove(string[] lines, int line)
    {
        var comment = new List<string>();
        for (var i = line - 2; i >= 0; i--)
        {
            var text = lines[i].Trim();
            if (text.StartsWith('#')) comment.Insert(0, text.TrimStart('#').Trim());
            else if (text.StartsWith("//", StringComparison.Ordinal)) comment.Insert(0, text.TrimStart('/').Trim());
            else break;
        }
        return string.Join(' ', comment.Where(c => c.Length > 0));
    }

    /// <summary>The Markdown tables, one per second-level section (fcgi.logging, fcgi.proxy, …).</summary>
    public static string Markdown(string referenceText)
    {
        var sb = new StringBuilder();
        foreach (var group in Keys(referenceText).GroupBy(k => string.Join('.', k.Path.Split('.').Take(2))))
        {
            sb.Append("### `").Append(group.Key).Append("`\n\n");
            sb.Append("| Key | Default | Description |\n|---|---|---|\n");
            foreach (var key in group)
            {
                sb.Append("| `").Append(key.Path).Append("` | `").Append(Cell(key.Default)).Append("` | ")
                  .Append(Cell(key.Description)).Append(" |\n");
            }
            sb.Append('\n');
        }
        return sb.ToString().TrimEnd() + "\n";
    }

    /// <summary>Replaces the text between the markers of <paramref name="document"/> with fresh tables.</summary>
    public static string Update(string document, string referenceText)
    {
        var begin = document.IndexOf(BeginMarker, StringComparison.Ordinal);
        var end = document.IndexOf(EndMarker, StringComparison.Ordinal);
        if (begin < 0 || end < begin)
        {
            throw new CliException(ExitCodes.Usage, $"the document has no generated-keys markers ({BeginMarker} … {EndMarker})");
        }
        return document[..(begin + BeginMarker.Length)] + "\n\n" + Markdown(referenceText) + "\n" + document[end..];
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
