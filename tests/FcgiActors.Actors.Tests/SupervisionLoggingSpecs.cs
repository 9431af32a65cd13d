using System.Collections.Concurrent;
using FcgiActors.Actors;
using FcgiActors.Testing;
using Microsoft.Extensions.Logging;
using static FcgiActors.Actors.Tests.TestActors;

namespace FcgiActors.Actors.Tests;

/// <summary>The kernel's own log line for a child's failure, switched by <see cref="SupervisorStrategy.LoggingEnabled"/>.</summary>
public sealed class SupervisionLoggingSpecs : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private readonly RecordingLoggerProvider _logs = new();
    private readonly ActorSystemFixture _kit;

    public SupervisionLoggingSpecs() => _kit = new ActorSystemFixture(loggerFactory: LoggerFactory.Create(b => b.AddProvider(_logs)));

    public ValueTask DisposeAsync() => _kit.DisposeAsync();

    [Fact]
    public void Strategy_ByDefault_LogsFailures()
    {
        Assert.True(new OneForOneStrategy(_ => Directive.Restart).LoggingEnabled);
        Assert.True(SupervisorStrategy.Default.LoggingEnabled);
    }

    [Fact]
    public async Task ChildFails_LoggingEnabled_LogsErrorWithDirective()
    {
        await FailChildAsync(new OneForOneStrategy(_ => Directive.Resume));

        var entry = Assert.Single(_logs.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("Resume", entry.Message, StringComparison.Ordinal);
        Assert.Equal("oops", entry.Exception?.Message);
    }

    [Fact]
    public async Task ChildFails_LoggingDisabled_LogsNothing_AndDirectiveStillApplies()
    {
        var child = await FailChildAsync(new OneForOneStrategy(_ => Directive.Resume, loggingEnabled: false));

        Assert.Equal(2, await child.Ask<int>("get", Timeout)); // resumed: state kept
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    /// <summary>A child counts to 2, fails once under <paramref name="strategy"/>, then answers "get" (the failure was handled).</summary>
    private async Task<IActorRef> FailChildAsync(SupervisorStrategy strategy)
    {
        var probe = _kit.CreateProbe();
        var parent = _kit.System.ActorOf(WorkerProps(probe.Ref, strategy), "parent");
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart");
        var child = await parent.Ask<IActorRef>(new Spawn(WorkerProps(probe.Ref), "child"), Timeout);
        await probe.ExpectMsgAsync<Lifecycle>(l => l.Event == "PreStart" && l.Path == child.Path);
        child.Tell("inc");
        child.Tell("inc");
        child.Tell(new Fail("oops"));
        _ = await child.Ask<int>("get", Timeout);
        return child;
    }

    private sealed record LogEntry(LogLevel Level, string Message, Exception? Exception);

    private sealed class RecordingLoggerProvider : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<LogEntry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue(new LogEntry(logLevel, formatter(state, exception), exception));

        public void Dispose()
        {
        }
    }
}
