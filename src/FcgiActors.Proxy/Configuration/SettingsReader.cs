using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace FcgiActors.Proxy.Configuration;

/// <summary>
/// Reads typed values from an <see cref="IConfiguration"/> section, naming the HOCON path
/// (fcgi.proxy.pools.php.queue-timeout) in every error. Durations are parsed by
/// <see cref="FcgiActors.Hocon.HoconDuration"/> (a bare number is milliseconds). Unlike
/// ConfigurationReader it carries the HOCON path of list items ("routes[0]").
/// </summary>
internal readonly struct SettingsReader
{
    private readonly IConfiguration _section;

    public SettingsReader(IConfiguration section, string path)
    {
        _section = section;
        Path = path;
    }

    /// <summary>The HOCON path of this section, e.g. "fcgi.proxy".</summary>
    public string Path { get; }

    public SettingsReader Child(string key) => new(_section.GetSection(key), $"{Path}.{key}");

    public bool Exists(string key) => _section.GetSection(key).Exists();

    public IEnumerable<string> ChildKeys() => _section.GetChildren().Select(c => c.Key);

    public string String(string key, string fallback) => _section[key] ?? fallback;

    public int Int(string key, int fallback)
    {
        var text = _section[key];
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error(key, text, "an integer");
    }

    /// <summary>An integer of at least <paramref name="min"/>: sizes and counts are refused here, where the path is known.</summary>
    public int Int(string key, int fallback, int min)
    {
        var value = Int(key, fallback);
        return value >= min || _section[key] is null
            ? value
            : throw Error(key, _section[key]!, min == 0 ? "a count that is not negative" : $"an integer of at least {min}");
    }

    /// <summary>A duration that is not negative.</summary>
    public TimeSpan NonNegativeDuration(string key, TimeSpan fallback)
    {
        var value = Duration(key, fallback);
        return value >= TimeSpan.Zero || _section[key] is null
            ? value
            : throw Error(key, _section[key]!, "a duration that is not negative");
    }

    public bool Bool(string key, bool fallback)
    {
        var text = _section[key];
        if (text is null)
        {
            return fallback;
        }

        return text.Trim().ToLowerInvariant() switch
        {
            "true" or "on" or "yes" => true,
            "false" or "off" or "no" => false,
            _ => throw Error(key, text, "true or false"),
        };
    }

    public TimeSpan Duration(string key, TimeSpan fallback)
    {
        var text = _section[key];
        if (text is null)
        {
            return fallback;
        }

        return TryParseDuration(text, out var value) ? value : throw Error(key, text, "a duration such as 500ms or 5s");
    }

    public TEnum Enum<TEnum>(string key, TEnum fallback) where TEnum : struct, Enum
    {
        var text = _section[key];
        if (text is null)
        {
            return fallback;
        }

        return System.Enum.TryParse<TEnum>(text.Trim().Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var value) && System.Enum.IsDefined(value)
            ? value
            : throw Error(key, text, string.Join(" | ", System.Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant())));
    }

    /// <summary>A HOCON list (children "0", "1", ...) or, for convenience, one comma-separated string.</summary>
    public IReadOnlyList<string> List(string key, IReadOnlyList<string> fallback)
    {
        var section = _section.GetSection(key);
        if (!section.Exists())
        {
            return fallback;
        }

        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            var text = section.Value ?? "";
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        return children
            .OrderBy(c => int.TryParse(c.Key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue)
            .Select(c => c.Value ?? "")
            .ToList();
    }

    /// <summary>An object of string values (an environment map).</summary>
    public IReadOnlyDictionary<string, string> Map(string key)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var child in _section.GetSection(key).GetChildren())
        {
            map[child.Key] = child.Value ?? "";
        }

        return map;
    }

    /// <summary>Children of a list of objects, in index order.</summary>
    public IReadOnlyList<SettingsReader> Objects(string key)
    {
        var section = _section.GetSection(key);
        var path = $"{Path}.{key}";
        return section.GetChildren()
            .OrderBy(c => int.TryParse(c.Key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue)
            .Select(c => new SettingsReader(c, $"{path}[{c.Key}]"))
            .ToList();
    }

    public ArgumentException Error(string key, string text, string expected) =>
        new($"{Path}.{key} = \"{text}\": expected {expected}.");

    internal static bool TryParseDuration(string text, out TimeSpan value) =>
        FcgiActors.Hocon.HoconDuration.TryParse(text, out value);
}
