namespace FcgiActors.Hocon;

/// <summary>
/// Parses HOCON sizes in bytes ("Size in bytes format" in HOCON.md): a number and an optional
/// unit; a bare number is bytes; single letters (k, M, G…) are powers of two, kB/MB/GB powers of ten.
/// </summary>
public static class HoconSize
{
    private static readonly Dictionary<string, decimal> BytesPerUnit = Build();

    private static Dictionary<string, decimal> Build()
    {
        var map = new Dictionary<string, decimal>(StringComparer.Ordinal)
        {
            ["B"] = 1, ["b"] = 1, ["byte"] = 1, ["bytes"] = 1,
        };
        // HOCON.md: powers of ten "kB, kilobyte, kilobytes"…; powers of two "K, k, Ki, KiB, kibibyte, kibibytes"….
        string[] decimalPrefixes = ["k", "M", "G", "T", "P", "E", "Z", "Y"];
        string[] decimalNames = ["kilo", "mega", "giga", "tera", "peta", "exa", "zetta", "yotta"];
        string[] binaryNames = ["kibi", "mebi", "gibi", "tebi", "pebi", "exbi", "zebi", "yobi"];
        decimal ten = 1, two = 1;
        for (var i = 0; i < decimalPrefixes.Length; i++)
        {
            ten *= 1000;
            two *= 1024;
            var p = decimalPrefixes[i];
            map[p + "B"] = ten;
            map[decimalNames[i] + "byte"] = ten;
            map[decimalNames[i] + "bytes"] = ten;
            var upper = p.ToUpperInvariant();
            map[upper] = two;
            map[upper.ToLowerInvariant()] = two;
            map[upper + "i"] = two;
            map[upper + "iB"] = two;
            map[binaryNames[i] + "byte"] = two;
            map[binaryNames[i] + "bytes"] = two;
        }
        return map;
    }

    /// <summary>Parses <paramref name="text"/> ("64k" = 65536, "1 MiB", "10MB" = 10000000, "512" bytes).</summary>
    /// <exception cref="FormatException">The text is not a size; the message quotes it.</exception>
    public static long Parse(string text)
    {
        if (TryParse(text, out var value, out var error))
        {
            return value;
        }
        throw new FormatException(error);
    }

    /// <summary>Parses <paramref name="text"/>; false when it is not a size.</summary>
    public static bool TryParse(string? text, out long value) => TryParse(text, out value, out _);

    private static bool TryParse(string? text, out long value, out string error)
    {
        value = 0;
        if (!UnitText.TrySplit(text, out var number, out var unit))
        {
            error = $"\"{text}\" is not a size (expected a number and a unit such as 64k, 1 MiB, 10MB)";
            return false;
        }
        decimal perUnit = 1;
        if (unit.Length > 0 && !BytesPerUnit.TryGetValue(unit, out perUnit))
        {
            error = $"\"{text}\" is not a size: unknown unit \"{unit}\" (use B, k/KiB, M/MiB, G/GiB, kB, MB, GB…)";
            return false;
        }
        try
        {
            var bytes = decimal.Round(number * perUnit, MidpointRounding.AwayFromZero);
            if (bytes < 0 || bytes > long.MaxValue)
            {
                error = $"\"{text}\" is not a size: out of range";
                return false;
            }
            value = (long)bytes;
            error = "";
            return true;
        }
        catch (OverflowException)
        {
            error = $"\"{text}\" is not a size: out of range";
            return false;
        }
    }
}
