using System.Globalization;

namespace FcgiActors.Hocon;

/// <summary>
/// Parses HOCON durations ("Duration format" in HOCON.md): a number, optional whitespace and an
/// optional lower-case unit. A bare number is in milliseconds.
/// </summary>
public static class HoconDuration
{
    // HOCON.md "Duration format": exactly these strings, case sensitive, lower case.
    private static readonly Dictionary<string, decimal> TicksPerUnit = new(StringComparer.Ordinal)
    {
        ["ns"] = 0.01m, ["nano"] = 0.01m, ["nanos"] = 0.01m, ["nanosecond"] = 0.01m, ["nanoseconds"] = 0.01m,
        ["us"] = 10m, ["micro"] = 10m, ["micros"] = 10m, ["microsecond"] = 10m, ["microseconds"] = 10m,
        ["ms"] = TimeSpan.TicksPerMillisecond, ["milli"] = TimeSpan.TicksPerMillisecond, ["millis"] = TimeSpan.TicksPerMillisecond,
        ["millisecond"] = TimeSpan.TicksPerMillisecond, ["milliseconds"] = TimeSpan.TicksPerMillisecond,
        ["s"] = TimeSpan.TicksPerSecond, ["second"] = TimeSpan.TicksPerSecond, ["seconds"] = TimeSpan.TicksPerSecond,
        ["m"] = TimeSpan.TicksPerMinute, ["minute"] = TimeSpan.TicksPerMinute, ["minutes"] = TimeSpan.TicksPerMinute,
        ["h"] = TimeSpan.TicksPerHour, ["hour"] = TimeSpan.TicksPerHour, ["hours"] = TimeSpan.TicksPerHour,
        ["d"] = TimeSpan.TicksPerDay, ["day"] = TimeSpan.TicksPerDay, ["days"] = TimeSpan.TicksPerDay,
    };

    /// <summary>Parses <paramref name="text"/> ("5s", "100 ms", "2 minutes", "250" = 250 ms).</summary>
    /// <exception cref="FormatException">The text is not a duration; the message quotes it.</exception>
    public static TimeSpan Parse(string text)
    {
        if (TryParse(text, out var value, out var error))
        {
            return value;
        }
        throw new FormatException(error);
    }

    /// <summary>Parses <paramref name="text"/>; false when it is not a duration.</summary>
    public static bool TryParse(string? text, out TimeSpan value) => TryParse(text, out value, out _);

    private static bool TryParse(string? text, out TimeSpan value, out string error)
    {
        value = default;
        if (!UnitText.TrySplit(text, out var number, out var unit))
        {
            error = $"\"{text}\" is not a duration (expected a number and a unit such as 5s, 100 ms, 2 minutes)";
            return false;
        }
        decimal ticksPerUnit = TimeSpan.TicksPerMillisecond;
        if (unit.Length > 0 && !TicksPerUnit.TryGetValue(unit, out ticksPerUnit))
        {
            error = $"\"{text}\" is not a duration: unknown unit \"{unit}\" (use ns, us, ms, s, m, h or d)";
            return false;
        }
        try
        {
            var ticks = decimal.Round(number * ticksPerUnit, MidpointRounding.AwayFromZero);
            if (ticks < TimeSpan.MinValue.Ticks || ticks > TimeSpan.MaxValue.Ticks)
            {
                error = $"\"{text}\" is not a duration: out of range";
                return false;
            }
            value = TimeSpan.FromTicks((long)ticks);
            error = "";
            return true;
        }
        catch (OverflowException)
        {
            error = $"\"{text}\" is not a duration: out of range";
            return false;
        }
    }

    /// <summary>Renders a duration in the shortest exact unit ("5s", "250ms", "2m").</summary>
    public static string Format(TimeSpan value)
    {
        var ticks = value.Ticks;
        if (ticks == 0) return "0s";
        (long per, string unit)[] units =
        [
            (TimeSpan.TicksPerDay, "d"), (TimeSpan.TicksPerHour, "h"), (TimeSpan.TicksPerMinute, "m"),
            (TimeSpan.TicksPerSecond, "s"), (TimeSpan.TicksPerMillisecond, "ms"), (10, "us"),
        ];
        foreach (var (per, unit) in units)
        {
            if (ticks % per == 0) return (ticks / per).ToString(CultureInfo.InvariantCulture) + unit;
        }
        return (ticks * 100).ToString(CultureInfo.InvariantCulture) + "ns";
    }
}
