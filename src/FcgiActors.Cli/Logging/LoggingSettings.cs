using FcgiActors.Hocon;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Serilog;

namespace FcgiActors.Cli.Logging;

/// <summary>The validated fcgi.logging section (hocon/reference.conf documents each key).</summary>
internal sealed record LoggingSettings
{
    /// <summary>The areas of fcgi.logging.areas and the logger category prefixes they stand for.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> AreaCategories = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
    {
        ["actors"] = ["FcgiActors.Actors"],
        ["protocol"] = ["FcgiActors.Protocol"],
        ["responder"] = ["FcgiActors.Responder"],
        ["client"] = ["FcgiActors.Client"],
        ["bridge"] = ["FcgiActors.Bridge", "FcgiActors.Cli.Bridge", "FcgiActors.Cli.Commands.BridgeCommand"],
        ["proxy"] = ["FcgiActors.Proxy"],
        ["hosting"] = ["FcgiActors.Hosting"],
        ["cli"] = ["FcgiActors.Cli"],
    };

    public static LoggingSettings Default { get; } = new();

    public LogLevel Level { get; init; } = LogLevel.Warning;

    /// <summary>Level by logger category prefix (areas expanded, then categories).</summary>
    public IReadOnlyDictionary<string, LogLevel> CategoryLevels { get; init; } = new Dictionary<string, LogLevel>();

    public LogSink Sink { get; init; } = LogSink.Console;

    public LogFormat Format { get; init; } = LogFormat.Plain;

    public bool TraceRecords { get; init; }

    public string FilePath { get; init; } = "fcgi.log";

    public RollingInterval RollingInterval { get; init; } = RollingInterval.Day;

    /// <summary>0 = no limit.</summary>
    public long FileSizeLimit { get; init; } = 100L * 1024 * 1024;

    /// <summary>0 = keep all.</summary>
    public int RetainedFiles { get; init; } = 7;

    /// <summary>Binds fcgi.logging; errors name the HOCON path.</summary>
    public static LoggingSettings FromConfiguration(IConfiguration section)
    {
        var d = Default;
        var levels = new Dictionary<string, LogLevel>(StringComparer.Ordinal);
        var areas = section.GetSection("areas");
        foreach (var area in areas.GetChildren())
        {
            if (!AreaCategories.TryGetValue(area.Key, out var prefixes))
            {
                throw ConfigurationReader.Bad(areas, area.Key, $"unknown area (known: {string.Join(", ", AreaCategories.Keys)})");
            }
            if (ReadLevel(areas, area.Key, allowInherit: true) is { } level)
            {
                foreach (var prefix in prefixes) levels[prefix] = level;
            }
        }
        var categories = section.GetSection("categories");
        foreach (var category in categories.GetChildren())
        {
            // A dotted category written unquoted becomes nested objects: flatten it back.
            foreach (var (name, key) in Leaves(category, category.Key))
            {
                levels[name] = ReadLevel(categories, key, allowInherit: false)!.Value;
            }
        }
        return new LoggingSettings
        {
            Level = ReadLevel(section, "level", allowInherit: false) ?? d.Level,
            CategoryLevels = levels,
            Sink = section.GetEnum("sink", d.Sink),
            Format = section.GetEnum("format", d.Format),
            TraceRecords = section.GetBool("trace-records", d.TraceRecords),
            FilePath = section.GetString("file:path", d.FilePath),
            RollingInterval = section.GetEnum("file:rolling-interval", d.RollingInterval),
            FileSizeLimit = section.GetSize("file:size-limit", d.FileSizeLimit),
            RetainedFiles = section.GetInt("file:retained-files", d.RetainedFiles, min: 0),
        };
    }

    private static IEnumerable<(string Name, string Key)> Leaves(IConfigurationSection section, string key)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            yield return (key.Replace(':', '.'), key);
            yield break;
        }
        foreach (var child in children)
        {
            foreach (var leaf in Leaves(child, key + ":" + child.Key)) yield return leaf;
        }
    }

    private static LogLevel? ReadLevel(IConfiguration section, string key, bool allowInherit)
    {
        var text = section.GetOptionalString(key);
        if (text is null) return null;
        switch (text.Trim().ToLowerInvariant())
        {
            case "inherit" when allowInherit: return null;
            case "trace" or "verbose": return LogLevel.Trace;
            case "debug": return LogLevel.Debug;
            case "information" or "info": return LogLevel.Information;
            case "warning" or "warn": return LogLevel.Warning;
            case "error": return LogLevel.Error;
            case "critical" or "fatal": return LogLevel.Critical;
            case "none" or "off": return LogLevel.None;
        }
        var choices = "trace, debug, information, warning, error, critical, none" + (allowInherit ? " or inherit" : "");
        throw ConfigurationReader.Bad(section, key, $"\"{text}\" is not a log level ({choices})");
    }
}
