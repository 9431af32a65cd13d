using System.Text;

namespace FcgiActors.Hocon;

internal sealed partial class HoconParser
{
    private bool IsIncludeStatement()
    {
        var i = _index + 1;
        while (_tokens[i].Kind is HoconTokenKind.Whitespace or HoconTokenKind.Newline) i++;
        // "include : 42" is a key called include; anything else after `include` is an include statement.
        return _tokens[i].Kind is not (HoconTokenKind.Colon or HoconTokenKind.Equals or HoconTokenKind.PlusEquals or HoconTokenKind.OpenBrace);
    }

    /// <summary>
    /// include "f", include file("f"), include required("f"), include required(file("f"))
    /// (HOCON.md "Includes"): the file's fields merge into <paramref name="target"/> here.
    /// </summary>
    private void ParseInclude(HoconObject target, IReadOnlyList<string>? path)
    {
        var include = Take();
        SkipWhitespaceAndNewlines();
        var shape = new StringBuilder();
        string? name = null;
        while (Peek().Kind is not (HoconTokenKind.Newline or HoconTokenKind.Comma or HoconTokenKind.CloseBrace or HoconTokenKind.End))
        {
            var t = Take();
            switch (t.Kind)
            {
                case HoconTokenKind.Whitespace:
                    break;
                case HoconTokenKind.Quoted when name is null:
                    name = t.Text;
                    shape.Append('Q');
                    break;
                case HoconTokenKind.Unquoted:
                    shape.Append(t.Text);
                    break;
                default:
                    throw t.Position.Error($"include must be followed by a quoted file name, file(\"...\") or required(...), found {Describe(t)}");
            }
        }
        bool required;
        switch (shape.ToString())
        {
            case "Q" or "file(Q)":
                required = false;
                break;
            case "required(Q)" or "required(file(Q))":
                required = true;
                break;
            case var s when s.Contains("url(", StringComparison.Ordinal) || s.Contains("classpath(", StringComparison.Ordinal):
                throw include.Position.Error("include url(...) and classpath(...) are not supported; use a file");
            default:
                throw include.Position.Error("include must be followed by a quoted file name, file(\"...\") or required(...)");
        }

        var file = ResolveIncludePath(name!);
        if (file is null)
        {
            if (required) throw include.Position.Error($"included file \"{name}\" not found");
            return; // HOCON.md "Include semantics: missing files": silently ignored.
        }
        if (_context.IncludeStack.Contains(file, StringComparer.Ordinal))
        {
            throw include.Position.Error($"include cycle: \"{file}\" is already being included");
        }
        _context.IncludeStack.Add(file);
        try
        {
            ParseDocument(HoconSource.FromFile(file), target, path, _context);
        }
        catch (IOException e)
        {
            throw include.Position.Error($"cannot read included file \"{file}\": {e.Message}", e);
        }
        finally
        {
            _context.IncludeStack.RemoveAt(_context.IncludeStack.Count - 1);
        }
    }

    /// <summary>
    /// Relative names are relative to the including file's directory, never the working
    /// directory (HOCON.md "locating resources"); a name without extension tries .conf, then .json.
    /// </summary>
    private string? ResolveIncludePath(string name)
    {
        var full = Path.IsPathRooted(name) ? name : Path.GetFullPath(Path.Combine(_directory ?? Directory.GetCurrentDirectory(), name));
        if (File.Exists(full)) return full;
        if (Path.GetExtension(full).Length == 0)
        {
            foreach (var ext in new[] { ".conf", ".json" })
            {
                if (File.Exists(full + ext)) return full + ext;
            }
        }
        return null;
    }
}
