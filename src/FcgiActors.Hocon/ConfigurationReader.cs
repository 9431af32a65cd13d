using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace FcgiActors.Hocon;

/// <summary>
/// Typed, validated reads of one configuration section for <c>*Settings.FromConfiguration</c>.
/// A missing or empty key gives the default; a bad value throws <see cref="ConfigurationException"/>
/// naming the HOCON path, e.g. <c>fcgi.proxy.queue-timeout: "5 parsecs" is not a duration</c>.
/// </summary>
public static class ConfigurationReader
{
    /// <summary>The dotted HOCON path of <paramref name="key"/> in <paramref name="section"/>.</summary>
    public static string PathOf(IConfiguration section, string key)
    {
        var prefix = section is IConfigurationSection s ? s.Path : "";
        var full = prefix.Length == 0 ? key : prefix + ":" + key;
        return full.Replace(':', '.');
    }

    /// <summary>The raw string, or null when the key is absent, null or empty.</summary>
    public static string? GetOptionalString(this IConfiguration section, string key)
    {
        var value = section[key];
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>A string; <paramref name="defaultValue"/> when absent or empty.</summary>
    public static string GetString(this IConfiguration section, string key, string defaultValue)
        => section.GetOptionalString(key) ?? defaultValue;

    /// <summary>A duration ("5s", "100 ms"; a bare number is milliseconds) within [min, max].</summary>
    public static TimeSpan GetDuration(this IConfiguration section, string key, TimeSpan defaultValue,
        TimeSpan? min = null, TimeSpan? max = null)
    {
        var text = section.GetOptionalString(key);
        if (text is null) return defaultValue;
        if (!HoconDuration.TryParse(text, out var value))
        {
            throw Bad(section, key, $"\"{text}\" is not a duration (e.g. 5s, 100 ms, 2 minutes)");
        }
        var lo = min ?? TimeSpan.Zero;
        if (value < lo || (max is { } hi && value > hi))
        {
            var range = max is { } h ? $"between {HoconDuration.Format(lo)} and {HoconDuration.Format(h)}" : $"at least {HoconDuration.Format(lo)}";
            throw Bad(section, key, $"\"{text}\" is out of range: must be {range}");
        }
        return value;
    }

    /// <summary>A size in bytes ("64k", "1 MiB", "10MB"; a bare number is bytes) within [min, max].</summary>
    public static long GetSize(this IConfiguration section, string key, long defaultValue,
        long min = 0, long max = long.MaxValue)
    {
        var text = section.GetOptionalString(key);
        if (text is null) return defaultValue;
        if (!HoconSize.TryParse(text, out var value))
        {
            throw Bad(section, key, $"\"{text}\" is not a size in bytes (e.g. 64k, 1 MiB, 10MB)");
        }
        if (value < min || value > max)
        {
            throw Bad(section, key, $"\"{text}\" is out of range: must be between {min} and {max} bytes");
        }
        return value;
    }

    /// <summary>An integer within [min, max].</summary>
    public static int GetInt(this IConfiguration section, string key, int defaultValue,
        int min = int.MinValue, int max = int.MaxValue)
    {
        var value = section.GetLong(key, defaultValue, min, max);
        return (int)value;
    }

    /// <summary>A 64-bit integer within [min, max].</summary>
    public static long GetLong(this IConfiguration section, string key, long defaultValue,
        long min = long.MinValue, long max = long.MaxValue)
    {
        var text = section.GetOptionalString(key);
        if (text is null) return defaultValue;
        if (!long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw Bad(section, key, $"\"{text}\" is not an integer");
        }
        if (value < min || value > max)
        {
            throw Bad(section, key, $"{value} is out of range: must be between {min} and {max}");
        }
        return value;
    }

    /// <summary>A number (JSON number syntax) within [min, max].</summary>
    public static double GetDouble(this IConfiguration section, string key, double defaultValue,
        double min = double.MinValue, double max = double.MaxValue)
    {
        var text = section.GetOptionalString(key);
        if (text is null) return defaultValue;
        if (!double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw Bad(section, key, $"\"{text}\" is not a number");
        }
        if (value < min || value > max)
        {
            throw Bad(section, key, $"{text} is out of range: must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}");
        }
        return value;
    }

    /// <summary>A boolean: true/false, yes/no, on/off (HOCON.md "Automatic type conversions").</summary>
    public static bool GetBool(this IConfiguration section, string key, bool defaultValue)
    {
        var text = section.GetOptionalString(key);
        if (text is null) return defaultValue;
        return text.Trim().ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw Bad(section, key, $"\"{text}\" is not a boolean (true/false, yes/no, on/off)"),
        };
    }

    /// <summary>
    /// An enum written in kebab-case ("fail-request" for <c>FailRequest</c>); case-insensitive.
    /// </summary>
    public static T GetEnum<T>(this IConfiguration section, string key, T defaultValue) where T : struct, Enum
    {
        var text = section.GetOptionalString(key);
        if (text is null) return defaultValue;
        var compact = text.Trim().Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
        if (compact.Length > 0 && !char.IsAsciiDigit(compact[0]) && Enum.TryParse<T>(compact, ignoreCase: true, out var value))
        {
            return value;
        }
        var allowed = string.Join(", ", Enum.GetNames<T>().Select(KebabCase));
        throw Bad(section, key, $"\"{text}\" is not one of {allowed}");
    }

    /// <summary>
    /// A list of strings: a HOCON array (flattened as key:0, key:1…), or a single value as a
    /// one-element list (so <c>FCGI__PROXY__BACKENDS=...</c> works); default when absent.
    /// </summary>
    public static IReadOnlyList<string> GetStringList(this IConfiguration section, string key, IReadOnlyList<string> defaultValue)
    {
        var child = section.GetSection(key);
        var items = child.GetChildren().ToList();
        if (items.Count == 0)
        {
            var single = child.Value;
            if (single is null) return defaultValue;
            return single.Length == 0 ? [] : [single];
        }
        var result = new List<string>(items.Count);
        foreach (var item in items.OrderBy(i => int.TryParse(i.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue))
        {
            if (item.Value is null)
            {
                throw Bad(section, key + ":" + item.Key, "expected a string, found an object or array");
            }
            result.Add(item.Value);
        }
        return result;
    }

    /// <summary>A <see cref="ConfigurationException"/> for <paramref name="key"/> with the reason given.</summary>
    public static ConfigurationException Bad(IConfiguration section, string key, string reason)
        => new(PathOf(section, key), reason);

    private static string KebabCase(string name)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('-');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }
}
