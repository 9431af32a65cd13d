namespace FcgiActors.Hocon;

/// <summary>
/// Parses HOCON tokens into an unresolved tree. Fields are merged into their target object as
/// they are read, so a self-reference (HOCON.md "Self-Referential Substitutions") is replaced at
/// once by a snapshot of the field's previous value; all other substitutions wait for
/// <see cref="HoconResolver"/>.
/// </summary>
internal sealed partial class HoconParser
{
    private readonly List<HoconToken> _tokens;
    private readonly HoconParseContext _context;
    private readonly string? _directory;
    private readonly IReadOnlyList<string> _includePrefix;
    private int _index;

    private HoconParser(List<HoconToken> tokens, HoconParseContext context, string? directory, IReadOnlyList<string> includePrefix)
    {
        _tokens = tokens;
        _context = context;
        _directory = directory;
        _includePrefix = includePrefix;
    }

    /// <summary>Parses a whole document into <paramref name="target"/>, which sits at <paramref name="targetPath"/>.</summary>
    public static void ParseDocument(HoconSource source, HoconObject target, IReadOnlyList<string>? targetPath, HoconParseContext context)
    {
        var tokens = HoconTokenizer.Tokenize(source.Text, source.Name);
        var parser = new HoconParser(tokens, context, source.Directory, targetPath ?? []);
        parser.ParseRoot(target, targetPath);
    }

    private HoconToken Peek(int ahead = 0) => _tokens[Math.Min(_index + ahead, _tokens.Count - 1)];

    private HoconToken Take() => _tokens[Math.Min(_index++, _tokens.Count - 1)];

    private void SkipWhitespace()
    {
        while (Peek().Kind == HoconTokenKind.Whitespace) _index++;
    }

    private void SkipWhitespaceAndNewlines()
    {
        while (Peek().Kind is HoconTokenKind.Whitespace or HoconTokenKind.Newline) _index++;
    }

    /// <summary>
    /// After a field or an array element: skips blanks, then a ',' with the new lines after it
    /// (a second ',' is an error). False when no comma follows; <paramref name="next"/> is then
    /// the token the caller must accept as a separator or end.
    /// </summary>
    private bool SkipComma(out HoconToken next)
    {
        SkipWhitespace();
        next = Peek();
        if (next.Kind != HoconTokenKind.Comma)
        {
            return false;
        }

        _index++;
        SkipWhitespaceAndNewlines();
        if (Peek().Kind == HoconTokenKind.Comma) throw Peek().Position.Error("two commas in a row");
        return true;
    }

    private static string Describe(HoconToken token) => token.Kind switch
    {
        HoconTokenKind.End => "end of file",
        HoconTokenKind.Newline => "end of line",
        HoconTokenKind.Quoted => "string \"" + token.Text + "\"",
        _ => "'" + token.Text + "'",
    };

    private void ParseRoot(HoconObject target, IReadOnlyList<string>? targetPath)
    {
        SkipWhitespaceAndNewlines();
        var first = Peek();
        if (first.Kind == HoconTokenKind.OpenBracket)
        {
            throw first.Position.Error("the root of a configuration must be an object, not an array");
        }
        if (first.Kind == HoconTokenKind.OpenBrace && IsLoneObject(_index))
        {
            _index++;
            ParseObjectBody(target, targetPath, first);
            SkipWhitespaceAndNewlines();
            var rest = Peek();
            if (rest.Kind != HoconTokenKind.End)
            {
                throw rest.Position.Error($"unexpected {Describe(rest)} after the root object");
            }
            return;
        }
        // HOCON.md "Omit root braces".
        ParseObjectBody(target, targetPath, open: null);
    }

    /// <summary>Fields until the closing brace (or end of file when <paramref name="open"/> is null).</summary>
    private void ParseObjectBody(HoconObject target, IReadOnlyList<string>? path, HoconToken? open)
    {
        while (true)
        {
            SkipWhitespaceAndNewlines();
            var token = Peek();
            if (token.Kind == HoconTokenKind.CloseBrace)
            {
                if (open is null) throw token.Position.Error("unbalanced '}': no matching '{'");
                _index++;
                return;
            }
            if (token.Kind == HoconTokenKind.End)
            {
                if (open is not null) throw open.Position.Error("unclosed '{': missing '}' before end of file");
                return;
            }
            if (token.Kind == HoconTokenKind.Comma)
            {
                throw token.Position.Error("unexpected ',': expected a key (two commas in a row, or a comma before the first field)");
            }
            if (token.Kind == HoconTokenKind.Unquoted && token.Text == "include" && IsIncludeStatement())
            {
                ParseInclude(target, path);
            }
            else
            {
                ParseField(target, path);
            }
            if (!SkipComma(out var next) && next.Kind is not (HoconTokenKind.Newline or HoconTokenKind.CloseBrace or HoconTokenKind.End))
            {
                throw next.Position.Error($"expected ',' or a new line after a field, found {Describe(next)}");
            }
        }
    }

    private void ParseField(HoconObject target, IReadOnlyList<string>? path)
    {
        var keyStart = Peek();
        var pieces = new List<(string, bool)>();
        while (true)
        {
            var t = Peek();
            if (t.Kind is HoconTokenKind.Quoted or HoconTokenKind.Unquoted or HoconTokenKind.Whitespace)
            {
                pieces.Add((t.Text, t.Kind == HoconTokenKind.Quoted));
                _index++;
                continue;
            }
            if (t.Kind is HoconTokenKind.Colon or HoconTokenKind.Equals or HoconTokenKind.PlusEquals or HoconTokenKind.OpenBrace)
            {
                break;
            }
            if (t.Kind == HoconTokenKind.Substitution)
            {
                throw t.Position.Error("substitutions are not allowed in keys");
            }
            if (pieces.Count == 0)
            {
                throw t.Position.Error($"expected a key, found {Describe(t)}");
            }
            throw t.Position.Error($"key '{string.Concat(pieces.Select(p => p.Item1)).Trim()}' must be followed by ':', '=', '+=' or '{{', found {Describe(t)}");
        }
        while (pieces.Count > 0 && !pieces[^1].Item2 && string.IsNullOrWhiteSpace(pieces[^1].Item1)) pieces.RemoveAt(pieces.Count - 1);
        if (pieces.Count == 0)
        {
            throw keyStart.Position.Error("expected a key before " + Describe(Peek()));
        }
        var key = HoconPathBuilder.Build(pieces, keyStart.Position);
        var separator = Peek();
        var append = separator.Kind == HoconTokenKind.PlusEquals;
        if (separator.Kind != HoconTokenKind.OpenBrace) _index++;
        SkipWhitespaceAndNewlines();

        var fullPath = path is null ? null : path.Concat(key).ToList();
        var parent = target;
        for (var i = 0; i < key.Count - 1; i++)
        {
            parent = GetOrCreateObject(parent, key[i], keyStart.Position);
        }
        var last = key[^1];

        if (!append && Peek().Kind == HoconTokenKind.OpenBrace && IsLoneObject(_index))
        {
            // A lone object literal merges straight into whatever the field already holds.
            var open = Take();
            ParseObjectBody(GetOrCreateObject(parent, last, open.Position), fullPath, open);
            return;
        }
        if (separator.Kind == HoconTokenKind.OpenBrace)
        {
            throw separator.Position.Error("expected ':' or '=' after key");
        }

        var value = ParseValue(fullPath, inArray: false);
        if (append)
        {
            // HOCON.md "The += field separator": a += b is a = ${?a} [b].
            HoconValue previous = fullPath is null
                ? (parent.TryGet(last, out var previousLocal) ? previousLocal.Snapshot() : new HoconUndefined(separator.Position))
                : PreviousValue(fullPath, optional: true, separator.Position, "${?" + HoconPathBuilder.Render(fullPath) + "}");
            value = new HoconConcatenation([previous, new HoconArray([value], value.Position)], separator.Position);
        }
        Assign(parent, last, value);
    }

    /// <summary>Sets a field: resolved values replace; unresolved ones stack over the old value.</summary>
    private static void Assign(HoconObject parent, string key, HoconValue value)
    {
        if (value is HoconUnresolved && parent.TryGet(key, out var existing))
        {
            var layers = existing is HoconMergeStack stack ? [.. stack.Layers, value] : new List<HoconValue> { existing, value };
            parent.Set(key, new HoconMergeStack(layers, value.Position));
            return;
        }
        parent.Set(key, value);
    }

    private static HoconObject GetOrCreateObject(HoconObject parent, string key, HoconPosition position)
    {
        parent.TryGet(key, out var existing);
        switch (existing)
        {
            case HoconObject o:
                return o;
            case HoconMergeStack { Layers: [.., HoconObject top] }:
                return top;
        }
        var created = new HoconObject(position);
        if (existing is HoconUnresolved)
        {
            // The existing value may resolve to an object: decide the merge at resolution.
            Assign(parent, key, new HoconMergeStack([existing, created], position));
        }
        else
        {
            // HOCON.md "Duplicate keys": an object after a non-object replaces it.
            parent.Set(key, created);
        }
        return created;
    }

    /// <summary>The field's value as of now: what a self-reference to <paramref name="path"/> sees.</summary>
    private HoconValue PreviousValue(IReadOnlyList<string> path, bool optional, HoconPosition position, string text)
    {
        HoconValue node = _context.Root;
        for (var i = 0; i < path.Count; i++)
        {
            if (node is HoconObject o)
            {
                if (!o.TryGet(path[i], out var child)) return Missing();
                node = child;
            }
            else if (node is HoconUnresolved)
            {
                return new HoconPathLookup(node.Snapshot(), path.Skip(i).ToList(), position);
            }
            else
            {
                return Missing();
            }
        }
        return node.Snapshot();

        // No previous value: HOCON.md lets the environment answer (path = ${?path}":/bin").
        HoconValue Missing() => new HoconSubstitution([path], optional, environmentOnly: true, text, position);
    }
}
