using System.Globalization;
using System.Text;

namespace FcgiActors.Hocon;

/// <summary>Splits HOCON text into tokens (HOCON.md "Syntax"), each with its file:line:column.</summary>
internal sealed class HoconTokenizer
{
    // HOCON.md "Unquoted strings": characters that end an unquoted string.
    private const string Forbidden = "$\"{}[]:=,+#`^?!@*&\\";

    private readonly string _text;
    private readonly string _file;
    private int _index;
    private int _line = 1;
    private int _column = 1;

    private HoconTokenizer(string text, string file)
    {
        _text = text;
        _file = file;
    }

    public static List<HoconToken> Tokenize(string text, string file)
    {
        var tokenizer = new HoconTokenizer(text, file);
        var tokens = new List<HoconToken>();
        HoconToken token;
        do
        {
            token = tokenizer.Next();
            tokens.Add(token);
        }
        while (token.Kind != HoconTokenKind.End);
        return tokens;
    }

    /// <summary>HOCON.md "Whitespace": Unicode separators, ASCII controls 9–13 and 28–31, BOM.</summary>
    public static bool IsWhitespace(char c)
        => c != '\n' && (char.IsWhiteSpace(c) || c is >= '\u001C' and <= '\u001F' || c == '\uFEFF');

    private HoconPosition Position => new(_file, _line, _column);

    private char Peek(int ahead = 0) => _index + ahead < _text.Length ? _text[_index + ahead] : '\0';

    private bool AtEnd => _index >= _text.Length;

    private void Advance(int count = 1)
    {
        for (var i = 0; i < count && _index < _text.Length; i++)
        {
            if (_text[_index] == '\n')
            {
                _line++;
                _column = 1;
            }
            else
            {
                _column++;
            }
            _index++;
        }
    }

    private HoconToken Next()
    {
        while (true)
        {
            var start = Position;
            if (AtEnd) return new HoconToken(HoconTokenKind.End, "", start);
            var c = Peek();
            if (c == '#' || (c == '/' && Peek(1) == '/'))
            {
                while (!AtEnd && Peek() != '\n') Advance();
                continue;
            }
            if (c == '\n')
            {
                Advance();
                return new HoconToken(HoconTokenKind.Newline, "\n", start);
            }
            if (IsWhitespace(c))
            {
                var from = _index;
                while (!AtEnd && IsWhitespace(Peek())) Advance();
                return new HoconToken(HoconTokenKind.Whitespace, _text[from.._index], start);
            }
            switch (c)
            {
                case ',': Advance(); return new HoconToken(HoconTokenKind.Comma, ",", start);
                case ':': Advance(); return new HoconToken(HoconTokenKind.Colon, ":", start);
                case '=': Advance(); return new HoconToken(HoconTokenKind.Equals, "=", start);
                case '{': Advance(); return new HoconToken(HoconTokenKind.OpenBrace, "{", start);
                case '}': Advance(); return new HoconToken(HoconTokenKind.CloseBrace, "}", start);
                case '[': Advance(); return new HoconToken(HoconTokenKind.OpenBracket, "[", start);
                case ']': Advance(); return new HoconToken(HoconTokenKind.CloseBracket, "]", start);
                case '+':
                    if (Peek(1) == '=')
                    {
                        Advance(2);
                        return new HoconToken(HoconTokenKind.PlusEquals, "+=", start);
                    }
                    throw start.Error("'+' is reserved; did you mean '+='? (quote the value if '+' is part of a string)");
                case '"':
                    return new HoconToken(HoconTokenKind.Quoted, Peek(1) == '"' && Peek(2) == '"' ? ReadTripleQuoted() : ReadQuoted(), start);
                case '$':
                    return ReadSubstitution();
            }
            if (Forbidden.Contains(c, StringComparison.Ordinal))
            {
                throw start.Error($"'{c}' is a reserved character; quote the string that contains it");
            }
            return new HoconToken(HoconTokenKind.Unquoted, ReadUnquoted(), start);
        }
    }

    private string ReadUnquoted()
    {
        var from = _index;
        if (Peek() == '-' || char.IsAsciiDigit(Peek()))
        {
            // HOCON.md: an initial number is read with JSON's number rules (so "1e+5" keeps its '+').
            if (Peek() == '-') Advance();
            while (char.IsAsciiDigit(Peek())) Advance();
            if (Peek() == '.' && char.IsAsciiDigit(Peek(1)))
            {
                Advance();
                while (char.IsAsciiDigit(Peek())) Advance();
            }
            if (Peek() is 'e' or 'E' && (char.IsAsciiDigit(Peek(1)) || (Peek(1) is '+' or '-' && char.IsAsciiDigit(Peek(2)))))
            {
                Advance(2);
                while (char.IsAsciiDigit(Peek())) Advance();
            }
        }
        while (!AtEnd)
        {
            var c = Peek();
            if (c == '\n' || IsWhitespace(c) || Forbidden.Contains(c, StringComparison.Ordinal) || (c == '/' && Peek(1) == '/'))
            {
                break;
            }
            Advance();
        }
        return _text[from.._index];
    }

    private string ReadQuoted()
    {
        var start = Position;
        Advance(); // opening quote
        var sb = new StringBuilder();
        while (true)
        {
            if (AtEnd || Peek() == '\n')
            {
                throw start.Error("unterminated quoted string (use \"\"\"triple quotes\"\"\" for multi-line strings)");
            }
            var c = Peek();
            if (c == '"')
            {
                Advance();
                return sb.ToString();
            }
            if (c == '\\')
            {
                var escape = Position;
                Advance();
                var e = Peek();
                Advance();
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        var hex = _index + 4 <= _text.Length ? _text.Substring(_index, 4) : "";
                        if (!ushort.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                        {
                            throw escape.Error("\\u must be followed by four hex digits");
                        }
                        sb.Append((char)code);
                        Advance(4);
                        break;
                    default:
                        throw escape.Error($"invalid escape '\\{e}' in quoted string (JSON escapes only)");
                }
                continue;
            }
            if (c < ' ' && c != '\t')
            {
                throw Position.Error("control character in quoted string; escape it");
            }
            sb.Append(c);
            Advance();
        }
    }

    private string ReadTripleQuoted()
    {
        var start = Position;
        Advance(3);
        var from = _index;
        while (!AtEnd)
        {
            if (Peek() == '"' && Peek(1) == '"' && Peek(2) == '"')
            {
                // Extra quotes before the closing """ belong to the string: it ends at the run's end.
                var run = 0;
                while (Peek(run) == '"') run++;
                var end = _index + run - 3;
                var value = _text[from..end];
                Advance(run);
                return value;
            }
            Advance();
        }
        throw start.Error("unterminated triple-quoted string");
    }

    private HoconToken ReadSubstitution()
    {
        var start = Position;
        if (Peek(1) != '{')
        {
            throw start.Error("'$' must start a substitution ${path}; quote the string that contains it");
        }
        Advance(2);
        var optional = false;
        if (Peek() == '?')
        {
            optional = true;
            Advance();
        }
        var pieces = new List<(string, bool)>();
        while (true)
        {
            if (AtEnd || Peek() == '\n')
            {
                throw start.Error("unterminated substitution: missing '}'");
            }
            var c = Peek();
            if (c == '}')
            {
                Advance();
                break;
            }
            if (IsWhitespace(c))
            {
                var from = _index;
                while (!AtEnd && IsWhitespace(Peek())) Advance();
                pieces.Add((_text[from.._index], false));
                continue;
            }
            if (c == '"')
            {
                pieces.Add((Peek(1) == '"' && Peek(2) == '"' ? ReadTripleQuoted() : ReadQuoted(), true));
                continue;
            }
            if (Forbidden.Contains(c, StringComparison.Ordinal) || (c == '/' && Peek(1) == '/'))
            {
                throw Position.Error($"'{c}' is not allowed in a substitution path");
            }
            pieces.Add((ReadUnquoted(), false));
        }
        // Leading and trailing whitespace is not part of the path.
        while (pieces.Count > 0 && !pieces[0].Item2 && string.IsNullOrWhiteSpace(pieces[0].Item1)) pieces.RemoveAt(0);
        while (pieces.Count > 0 && !pieces[^1].Item2 && string.IsNullOrWhiteSpace(pieces[^1].Item1)) pieces.RemoveAt(pieces.Count - 1);
        if (pieces.Count == 0)
        {
            throw start.Error("empty substitution ${}");
        }
        var path = HoconPathBuilder.Build(pieces, start);
        var text = "${" + (optional ? "?" : "") + HoconPathBuilder.Render(path) + "}";
        return new HoconToken(HoconTokenKind.Substitution, text, start) { Path = path, Optional = optional };
    }
}
