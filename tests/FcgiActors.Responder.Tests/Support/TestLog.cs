using Microsoft.Extensions.Logging;

namespace FcgiActors.Responder.Tests.Support;

/// <summary>A console logger factory for debugging a test (FCGI_TEST_LOG=Trace|Debug).</summary>
public static class TestLog
{
    public static ILoggerFactory? FromEnvironment() =>
        Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("FCGI_TEST_LOG"), out var level)
            ? LoggerFactory.Create(b => b.SetMinimumLevel(level).AddSimpleConsole(o => o.SingleLine = true))
            : null;
}
