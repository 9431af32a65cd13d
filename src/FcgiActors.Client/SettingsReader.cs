using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace FcgiActors.Client;

/// <summary>
/// Reads typed values from a configuration section and names the HOCON path in errors.
/// Durations: a number with ms, s, m or h (a bare number is seconds); sizes: a number with
/// k/kb/kib, m/mb/mib, g (binary multiples); booleans: true/false/on/off/yes/no.
/// </summary>
internal readonly struct SettingsReader(IConfiguration section, string prefix)
{
    public TimeSpan Duration(string key, TimeSpan fallback)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        var t = text.Trim().ToLowerInvariant();
        var (number, unit) = Split(t);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            throw Error(key, text, "a duration such as 500ms, 5s, 2m");
        }

        return unit switch
        {
            "ms" or "millis" or "milliseconds" => TimeSpan.FromMilliseconds(value),
            "" or "s" or "second" or "seconds" => TimeSpan.FromSeconds(value),
            "m" or "minute" or "minutes" => TimeSpan.FromMinutes(value),
            "h" or "hour" or "hours" => TimeSpan.FromHours(value),
            _ => throw Error(key, text, "a duration such as 500ms, 5s, 2m"),
        };
    }

    public int Size(string key, int fallback)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        var (number, unit) = Split(text.Trim().ToLowerInvariant());
        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(key, text, "a size such as 64k or 1MiB");
        }

        long multiplier = unit switch
        {
            "" or "b" => 1,
            "k" or "kb" or "kib" => 1024,
            "m" or "mb" or "mib" => 1024 * 1024,
            "g" or "gb" or "gib" => 1024 * 1024 * 1024,
            _ => throw Error(key, text, "a size such as 64k or 1MiB"),
        };
        var bytes = value * multiplier;
        return bytes > int.MaxValue ? throw Error(key, text, "a size below 2 GiB") : (int)bytes;
    }

    public int Int(string key, int fallback)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error(key, text, "an integer");
    }

    public bool Boolean(string key, bool fallback)
    {
        var text = section[key];
        if (string.IsNullOrWhiteSpace(text))
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

    private static (string Number, string Unit) Split(string text)
    {
        var i = 0;
        while (i < text.Length && (char.IsDigit(text[i]) || text[i] == '.'))
        {
            i++;
        }

        return (text[..i], text[i..].Trim());
    }

    private ArgumentException Error(string key, string text, string expected) =>
        new($"{prefix}.{key}: '{text}' is not {expected}.");
}
