using System.Text;

namespace FcgiActors.Hocon;

/// <summary>
/// Turns the pieces of a path expression into path elements (HOCON.md "Path expressions"):
/// '.' outside quotes separates elements, quoted text is taken whole, empty elements must be quoted.
/// </summary>
internal static class HoconPathBuilder
{
    public static List<string> Build(IReadOnlyList<(string Text, bool Quoted)> pieces, HoconPosition position)
    {
        var elements = new List<string>();
        var current = new StringBuilder();
        var currentQuoted = false;
        foreach (var (text, quoted) in pieces)
        {
            if (quoted)
            {
                current.Append(text);
                currentQuoted = true;
                continue;
            }
            var parts = text.Split('.');
            current.Append(parts[0]);
            for (var i = 1; i < parts.Length; i++)
            {
                Finish();
                current.Append(parts[i]);
            }
        }
        Finish();
        return elements;

        void Finish()
        {
            if (current.Length == 0 && !currentQuoted)
            {
                throw position.Error("empty path element: a path may not start or end with '.' or contain '..' (quote an empty key as \"\")");
            }
            elements.Add(current.ToString());
            current.Clear();
            currentQuoted = false;
        }
    }

    /// <summary>Renders a path so it parses back to the same elements.</summary>
    public static string Render(IEnumerable<string> path)
        => string.Join('.', path.Select(e => e.Length > 0 && e.All(c => char.IsLetterOrDigit(c) || c is '-' or '_') ? e : Quote(e)));

    /// <summary>A quoted path element: a JSON string, which HOCON's quoted strings are.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        HoconScalar.WriteJsonString(sb, s);
        return sb.ToString();
    }
}
