using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Formatting;
using Serilog.Formatting.Display;
using Serilog.Formatting.Json;

namespace FcgiActors.Cli.Logging;

/// <summary>
/// Builds the Serilog pipeline the commands log through, from <see cref="LoggingSettings"/>, and
/// exposes it as an <see cref="ILoggerFactory"/> for the libraries.
/// </summary>
internal static class FcgiLogging
{
    /// <summary>Stable property names the libraries use; documented for JSON consumers.</summary>
    public const string RecordTypeProperty = "RecordType";

    private const string PlainTemplate =
        "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffzzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>
    /// The logger factory for <paramref name="settings"/>. Console output goes to standard
    /// error (or to <paramref name="consoleOverride"/>, for tests). Dispose it to flush files.
    /// </summary>
    public static ILoggerFactory CreateLoggerFactory(LoggingSettings settings, TextWriter? consoleOverride = null)
    {
        var logger = CreateLogger(settings, consoleOverride);
        return new SerilogLoggerFactory(logger, dispose: true);
    }

    /// <summary>
    /// The logger factory for a loaded configuration (<see cref="CliConfiguration.Load"/>):
    /// binds fcgi.logging (throws ConfigurationException naming the path when it is invalid).
    /// </summary>
    public static ILoggerFactory CreateLoggerFactory(Microsoft.Extensions.Configuration.IConfiguration root)
        => CreateLoggerFactory(root, levelOverride: null);

    /// <summary>
    /// As <see cref="CreateLoggerFactory(Microsoft.Extensions.Configuration.IConfiguration)"/>, with a
    /// command's <c>--log-level</c> (when given) replacing fcgi.logging.level; sink, format and
    /// per-area levels still come from the configuration.
    /// </summary>
    public static ILoggerFactory CreateLoggerFactory(Microsoft.Extensions.Configuration.IConfiguration root, LogLevel? levelOverride)
    {
        var settings = LoggingSettings.FromConfiguration(root.GetSection("fcgi:logging"));
        return CreateLoggerFactory(levelOverride is { } level ? settings with { Level = level } : settings);
    }

    internal static Logger CreateLogger(LoggingSettings settings, TextWriter? consoleOverride)
    {
        var config = new LoggerConfiguration().Enrich.FromLogContext();

        // Serilog's level gate must let through the lowest level any category wants; the
        // filter below then applies the per-category levels and the record-tracing switch.
        var lowest = settings.CategoryLevels.Values.Append(settings.Level).Min();
        if (settings.TraceRecords) lowest = LogLevel.Trace;
        config.MinimumLevel.Is(ToSerilog(lowest) ?? LogEventLevel.Fatal);
        config.Filter.ByIncludingOnly(e => Allows(settings, e));

        ITextFormatter formatter = settings.Format == LogFormat.Json
            ? new JsonFormatter(renderMessage: true)
            : new MessageTemplateTextFormatter(PlainTemplate, System.Globalization.CultureInfo.InvariantCulture);

        if (settings.Sink == LogSink.File)
        {
            config.WriteTo.File(
                formatter,
                settings.FilePath,
                rollingInterval: settings.RollingInterval,
                fileSizeLimitBytes: settings.FileSizeLimit == 0 ? null : settings.FileSizeLimit,
                rollOnFileSizeLimit: settings.FileSizeLimit != 0,
                retainedFileCountLimit: settings.RetainedFiles == 0 ? null : settings.RetainedFiles);
        }
        else if (consoleOverride is not null)
        {
            config.WriteTo.Sink(new TextWriterSink(consoleOverride, formatter));
        }
        else
        {
            // Everything to standard error: standard output may carry a bridge response.
            config.WriteTo.Console(formatter, standardErrorFromLevel: LogEventLevel.Verbose);
        }
        return config.CreateLogger();
    }

    /// <summary>The per-category level decision, with the record-tracing switch.</summary>
    internal static bool Allows(LoggingSettings settings, LogEvent e)
    {
        var isRecordTrace = e.Level == LogEventLevel.Verbose && e.Properties.ContainsKey(RecordTypeProperty);
        if (isRecordTrace) return settings.TraceRecords;
        var category = e.Properties.TryGetValue(Constants.SourceContextPropertyName, out var sc) && sc is ScalarValue { Value: string s } ? s : "";
        var level = LevelFor(settings, category);
        return ToSerilog(level) is { } min && e.Level >= min;
    }

    internal static LogLevel LevelFor(LoggingSettings settings, string category)
    {
        var best = -1;
        var level = settings.Level;
        foreach (var (prefix, l) in settings.CategoryLevels)
        {
            var matches = category == prefix || (category.StartsWith(prefix, StringComparison.Ordinal) && category.Length > prefix.Length && category[prefix.Length] == '.');
            if (matches && prefix.Length > best)
            {
                best = prefix.Length;
                level = l;
            }
        }
        return level;
    }

    private static LogEventLevel? ToSerilog(LogLevel level) => level switch
    {
        LogLevel.Trace => LogEventLevel.Verbose,
        LogLevel.Debug => LogEventLevel.Debug,
        LogLevel.Information => LogEventLevel.Information,
        LogLevel.Warning => LogEventLevel.Warning,
        LogLevel.Error => LogEventLevel.Error,
        LogLevel.Critical => LogEventLevel.Fatal,
        _ => null,
    };

    private sealed class TextWriterSink(TextWriter writer, ITextFormatter formatter) : ILogEventSink
    {
        private readonly Lock _gate = new();

        public void Emit(LogEvent logEvent)
        {
            lock (_gate)
            {
                formatter.Format(logEvent, writer);
                writer.Flush();
            }
        }
    }
}
