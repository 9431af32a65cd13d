namespace FcgiActors.Hocon;

internal sealed partial class HoconParser
{
    /// <summary>
    /// A field value or array element: one value, or a value concatenation of the values on the
    /// same line (HOCON.md "Value concatenation"); whitespace between them is kept.
    /// </summary>
    private HoconValue ParseValue(IReadOnlyList<string>? fullPath, bool inArray)
    {
        var start = Peek();
        var parts = new List<HoconValue>();
        while (true)
        {
            var t = Peek();
            switch (t.Kind)
            {
                case HoconTokenKind.Quoted:
                    parts.Add(new HoconScalar(HoconValueKind.String, t.Text, t.Position));
                    _index++;
                    continue;
                case HoconTokenKind.Unquoted:
                    // Kept raw: only a value that is a single token becomes a number, boolean or null.
                    parts.Add(new HoconScalar(HoconValueKind.String, t.Text, t.Position));
                    _index++;
                    continue;
                case HoconTokenKind.Whitespace:
                    parts.Add(new HoconScalar(HoconValueKind.String, t.Text, t.Position, separator: true));
                    _index++;
                    continue;
                case HoconTokenKind.Substitution:
                    parts.Add(Substitution(t, fullPath));
                    _index++;
                    continue;
                case HoconTokenKind.OpenBrace:
                {
                    _index++;
                    var obj = new HoconObject(t.Position);
                    ParseObjectBody(obj, inArray ? null : fullPath, t);
                    parts.Add(obj);
                    continue;
                }
                case HoconTokenKind.OpenBracket:
                    _index++;
                    parts.Add(ParseArray(t, fullPath));
                    continue;
            }
            break;
        }
        while (parts.Count > 0 && parts[^1] is HoconScalar { IsSeparator: true }) parts.RemoveAt(parts.Count - 1);
        if (parts.Count == 0)
        {
            var t = Peek();
            throw t.Position.Error($"expected a value, found {Describe(t)}");
        }
        if (parts.Count == 1)
        {
            var single = parts[0];
            var token = start;
            return single is HoconScalar && token.Kind == HoconTokenKind.Unquoted
                ? HoconScalar.FromUnquoted(token.Text, token.Position)
                : single;
        }
        return new HoconConcatenation(parts, start.Position);
    }

    private HoconArray ParseArray(HoconToken open, IReadOnlyList<string>? fullPath)
    {
        var items = new List<HoconValue>();
        while (true)
        {
            SkipWhitespaceAndNewlines();
            var t = Peek();
            if (t.Kind == HoconTokenKind.CloseBracket)
            {
                _index++;
                return new HoconArray(items, open.Position);
            }
            if (t.Kind == HoconTokenKind.End)
            {
                throw open.Position.Error("unclosed '[': missing ']' before end of file");
            }
            if (t.Kind == HoconTokenKind.Comma)
            {
                throw t.Position.Error("unexpected ',' in array (two commas in a row, or a comma before the first element)");
            }
            items.Add(ParseValue(fullPath, inArray: true));
            if (SkipComma(out var next))
            {
                continue;
            }

            if (next.Kind == HoconTokenKind.End)
            {
                throw open.Position.Error("unclosed '[': missing ']' before end of file");
            }

            if (next.Kind is not (HoconTokenKind.Newline or HoconTokenKind.CloseBracket))
            {
                throw next.Position.Error($"expected ',', a new line or ']' after an array element, found {Describe(next)}");
            }
        }
    }

    /// <summary>
    /// A substitution token as a node; included files' paths are fixed up to the include
    /// point (HOCON.md "Include semantics: substitution"), and a reference to the field being
    /// defined (or below it) becomes its previous value.
    /// </summary>
    private HoconValue Substitution(HoconToken token, IReadOnlyList<string>? fullPath)
    {
        var path = token.Path;
        var fixedUp = _includePrefix.Count > 0 ? _includePrefix.Concat(path).ToList() : null;
        var absolute = fixedUp ?? path;
        if (fullPath is not null && absolute.Count >= fullPath.Count && absolute.Take(fullPath.Count).SequenceEqual(fullPath, StringComparer.Ordinal))
        {
            return PreviousValue(absolute, token.Optional, token.Position, token.Text);
        }
        IReadOnlyList<IReadOnlyList<string>> candidates = fixedUp is null ? [path] : [fixedUp, path];
        return new HoconSubstitution(candidates, token.Optional, environmentOnly: false, token.Text, token.Position);
    }

    /// <summary>True when the '{' at <paramref name="index"/> is a value on its own (no concatenation follows).</summary>
    private bool IsLoneObject(int index)
    {
        var depth = 0;
        var i = index;
        for (; i < _tokens.Count; i++)
        {
            var kind = _tokens[i].Kind;
            if (kind is HoconTokenKind.OpenBrace or HoconTokenKind.OpenBracket) depth++;
            else if (kind is HoconTokenKind.CloseBrace or HoconTokenKind.CloseBracket) depth--;
            else if (kind == HoconTokenKind.End) return true;
            if (depth == 0) break;
        }
        i++;
        while (i < _tokens.Count && _tokens[i].Kind == HoconTokenKind.Whitespace) i++;
        return i >= _tokens.Count || _tokens[i].Kind is HoconTokenKind.Newline or HoconTokenKind.Comma
            or HoconTokenKind.CloseBrace or HoconTokenKind.CloseBracket or HoconTokenKind.End;
    }
}
