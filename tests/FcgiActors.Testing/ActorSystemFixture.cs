using FcgiActors.Actors;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Testing;

/// <summary>
/// One actor system per test: create it in the test class's constructor, dispose it in
/// <c>DisposeAsync</c> (xunit calls <see cref="IAsyncDisposable"/> on test classes).
/// Termination is bounded, so a stuck actor fails the test instead of hanging the run.
/// </summary>
public sealed class ActorSystemFixture : IAsyncDisposable
{
    /// <summary>Creates a system named <paramref name="name"/>.</summary>
    public ActorSystemFixture(string name = "test", ILoggerFactory? loggerFactory = null)
    {
        System = ActorSystem.Create(name, loggerFactory);
    }

    /// <summary>The system under test.</summary>
    public ActorSystem System { get; }

    /// <summary>A new probe in <see cref="System"/>.</summary>
    public TestProbe CreateProbe(string name = "probe") => new(System, name);

    /// <summary>Terminates the system within 5 s or throws.</summary>
    public async ValueTask DisposeAsync() => await System.TerminateAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
}
