using System.Globalization;

namespace FcgiActors.Hocon;

/// <summary>The "Units format" of HOCON.md: whitespace, a number, whitespace, letters, whitespace.</summary>
internal static class UnitText
{
    public static bool TrySplit(string? text, out decimal number, out string unit)
    {
        number = 0;
        unit = "";
        if (text is null) return false;
        var s = text.AsSpan().Trim();
        var i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] is '.' or '-' or '+' or 'e' or 'E'))
        {
            // 'e'/'E' belong to the number only when followed by a digit or a sign (1e3), not in "5 exabytes".
            if (s[i] is 'e' or 'E' && !(i + 1 < s.Length && (char.IsAsciiDigit(s[i + 1]) || s[i + 1] is '-' or '+')))
            {
                break;
            }
            i++;
        }
        if (i == 0) return false;
        if (!decimal.TryParse(s[..i], NumberStyles.Float, CultureInfo.InvariantCulture, out number)) return false;
        var rest = s[i..].TrimStart();
        foreach (var c in rest)
        {
            if (!char.IsLetter(c)) return false;
        }
        unit = rest.ToString();
        return true;
    }
}
