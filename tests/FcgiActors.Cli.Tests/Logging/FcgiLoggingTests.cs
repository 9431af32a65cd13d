using System.Text.Json;
using FcgiActors.Cli.Logging;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Cli.Tests.Logging;

public sealed class FcgiLoggingTests
{
    private static string Log(LoggingSettings settings, Action<ILoggerFactory> write)
    {
        using var sink = new StringWriter();
        using (var factory = FcgiLogging.CreateLoggerFactory(settings, sink))
        {
            write(factory);
        }
        return sink.ToString();
    }

    [Fact]
    public void JsonFormat_WritesOneObjectPerLineWithStructuredProperties()
    {
        var output = Log(new LoggingSettings { Level = LogLevel.Information, Format = LogFormat.Json }, f =>
        {
            var logger = f.CreateLogger("FcgiActors.Proxy.Router");
            logger.LogInformation("Request {RequestId} on {ConnectionId} sent to {Backend}", 1, 42L, "127.0.0.1:9000");
            logger.LogWarning("second");
        });
        var lines = output.TrimEnd().Split('\n');
        Assert.Equal(2, lines.Length);
        using var json = JsonDocument.Parse(lines[0]);
        var properties = json.RootElement.GetProperty("Properties");
        Assert.Equal(1, properties.GetProperty("RequestId").GetInt32());
        Assert.Equal(42, properties.GetProperty("ConnectionId").GetInt64());
        Assert.Equal("127.0.0.1:9000", properties.GetProperty("Backend").GetString());
        Assert.Equal("FcgiActors.Proxy.Router", properties.GetProperty("SourceContext").GetString());
        Assert.Equal("Information", json.RootElement.GetProperty("Level").GetString());
    }

    [Fact]
    public void PlainFormat_WritesOneReadableLine()
    {
        var output = Log(new LoggingSettings(), f => f.CreateLogger("FcgiActors.Cli").LogError("Cannot listen on {Endpoint}", "127.0.0.1:1"));
        Assert.Matches(@"^\S+ \[ERR\] FcgiActors\.Cli: Cannot listen on ""?127\.0\.0\.1:1""?\n$", output.Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact]
    public void DefaultLevel_IsQuiet()
    {
        var output = Log(new LoggingSettings(), f =>
        {
            var logger = f.CreateLogger("FcgiActors.Responder.X");
            logger.LogInformation("info");
            logger.LogDebug("debug");
            Assert.False(logger.IsEnabled(LogLevel.Trace));
        });
        Assert.Equal("", output);
    }

    [Fact]
    public void AreaLevel_AppliesToItsCategoriesOnly()
    {
        var settings = new LoggingSettings { CategoryLevels = new Dictionary<string, LogLevel> { ["FcgiActors.Proxy"] = LogLevel.Debug } };
        var output = Log(settings, f =>
        {
            f.CreateLogger("FcgiActors.Proxy.Pool").LogDebug("proxy-debug");
            f.CreateLogger("FcgiActors.Client.Pool").LogDebug("client-debug");
        });
        Assert.Contains("proxy-debug", output, StringComparison.Ordinal);
        Assert.DoesNotContain("client-debug", output, StringComparison.Ordinal);
    }

    [Fact]
    public void RecordTrace_IsWrittenOnlyWithTheSwitch()
    {
        static void Write(ILoggerFactory f)
        {
            var logger = f.CreateLogger("FcgiActors.Protocol.Reader");
            if (logger.IsEnabled(LogLevel.Trace))
            {
                logger.LogTrace("Record {RecordType} for {RequestId}", "FCGI_STDIN", 1);
                logger.LogTrace("plain trace");
            }
        }

        var off = Log(new LoggingSettings { Level = LogLevel.Trace }, Write);
        Assert.DoesNotContain("FCGI_STDIN", off, StringComparison.Ordinal);
        Assert.Contains("plain trace", off, StringComparison.Ordinal);

        var on = Log(new LoggingSettings { TraceRecords = true }, Write);
        Assert.Contains("FCGI_STDIN", on, StringComparison.Ordinal);
        Assert.DoesNotContain("plain trace", on, StringComparison.Ordinal);
    }

    [Fact]
    public void FileSink_WritesToTheConfiguredPath()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "fcgi.log");
        var settings = new LoggingSettings { Sink = LogSink.File, FilePath = path, RollingInterval = Serilog.RollingInterval.Infinite };
        using (var factory = FcgiLogging.CreateLoggerFactory(settings))
        {
            factory.CreateLogger("FcgiActors.Cli").LogWarning("to the file");
        }
        Assert.Contains("to the file", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void CreateLoggerFactory_FromLoadedConfiguration_UsesTheLoggingSection()
    {
        var root = CliConfiguration.Load(null, ["fcgi.logging.level=debug"], new System.Collections.Hashtable());
        using var factory = FcgiLogging.CreateLoggerFactory(root);
        Assert.True(factory.CreateLogger("FcgiActors.Proxy").IsEnabled(LogLevel.Debug));
        Assert.False(factory.CreateLogger("FcgiActors.Proxy").IsEnabled(LogLevel.Trace));
    }
}
