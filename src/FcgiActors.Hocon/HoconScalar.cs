using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace FcgiActors.Hocon;

/// <summary>A string, number, boolean or null; <see cref="Text"/> is the value as written.</summary>
public sealed partial class HoconScalar : HoconValue
{
    internal HoconScalar(HoconValueKind kind, string text, HoconPosition position, bool separator = false)
        : base(position)
    {
        Kind = kind;
        Text = text;
        IsSeparator = separator;
    }

    /// <inheritdoc />
    public override HoconValueKind Kind { get; }

    /// <summary>The value as written ("5s", "1e3", "true"); "null" for null.</summary>
    public string Text { get; }

    /// <summary>Whitespace kept between the parts of a value concatenation.</summary>
    internal bool IsSeparator { get; }

    /// <summary>The value as a duration (HOCON.md "Duration format").</summary>
    public TimeSpan AsDuration() => HoconDuration.Parse(Text);

    /// <summary>The value as a size in bytes (HOCON.md "Size in bytes format").</summary>
    public long AsSize() => HoconSize.Parse(Text);

    internal static HoconScalar FromUnquoted(string text, HoconPosition position)
        => new(KindOfUnquoted(text), text, position);

    /// <summary>
    /// The type HOCON gives <paramref name="text"/> written alone and unquoted: true/false are
    /// booleans, null is null, a JSON number is a number, anything else a string.
    /// </summary>
    public static HoconValueKind KindOfUnquoted(string text) => text switch
    {
        "true" or "false" => HoconValueKind.Boolean,
        "null" => HoconValueKind.Null,
        _ => JsonNumber().IsMatch(text) ? HoconValueKind.Number : HoconValueKind.String,
    };

    /// <summary><paramref name="s"/> as a JSON string literal, quotes included.</summary>
    public static string JsonString(string s)
    {
        var sb = new StringBuilder();
        WriteJsonString(sb, s);
        return sb.ToString();
    }

    internal override void WriteJson(StringBuilder sb, bool indented, int depth)
    {
        switch (Kind)
        {
            case HoconValueKind.String:
                WriteJsonString(sb, Text);
                break;
            case HoconValueKind.Null:
                sb.Append("null");
                break;
            default:
                sb.Append(Text);
                break;
        }
    }

    internal static void WriteJsonString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }

    // JSON number grammar (RFC 8259 section 6).
    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();
}
