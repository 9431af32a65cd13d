using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FcgiActors.Actors;

/// <summary>
/// A tree of actors: the root "/" with the guardians "/user" (for <see cref="ActorOf"/>) and
/// "/system" (kernel and test-kit helpers). Stopping "/user", by <see cref="TerminateAsync"/> or
/// because a failure escalated to it, terminates the system.
/// </summary>
public sealed class ActorSystem : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTerminateTimeout = TimeSpan.FromSeconds(10);

    private readonly ActorCell _root;
    private readonly ActorCell _userGuardian;
    private readonly ActorCell _systemGuardian;
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _deadLetterLog;
    private ImmutableArray<IActorRef> _deadLetterSubscribers = [];

    private ActorSystem(string name, ILoggerFactory loggerFactory)
    {
        Name = name;
        LoggerFactory = loggerFactory;
        _deadLetterLog = loggerFactory.CreateLogger("FcgiActors.Actors.DeadLetters");
        DeadLetters = new SinkActorRef("/deadLetters", this);
        _root = new ActorCell(this, null, Props.Create(() => new GuardianActor(SupervisorStrategy.StoppingStrategy)), string.Empty, "/");
        _root.OnTerminated = () => _terminated.TrySetResult();
        _userGuardian = Guardian("user");
        _systemGuardian = Guardian("system");

        // Akka's rule: when /user is gone, the system goes.
        _userGuardian.OnTerminated = () => ActorCell.RequestStop(_root.SelfRef);
    }

    /// <summary>The name given to <see cref="Create"/>.</summary>
    public string Name { get; }

    /// <summary>Where every actor's <see cref="IActorContext.Log"/> comes from.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Receives undeliverable messages; they are logged at Debug and published to subscribers.</summary>
    public IActorRef DeadLetters { get; }

    /// <summary>Completes once every actor, the guardians included, has stopped.</summary>
    public Task WhenTerminated => _terminated.Task;

    /// <summary>Creates a running system.</summary>
    public static ActorSystem Create(string name, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new ActorSystem(name, loggerFactory ?? NullLoggerFactory.Instance);
    }

    /// <summary>Spawns a top-level actor under /user; names are unique among live top-level actors.</summary>
    public IActorRef ActorOf(Props props, string? name = null) => _userGuardian.ActorOf(props, name);

    /// <summary>Stops any actor of this system, asynchronously (children first, then PostStop).</summary>
    public void Stop(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ActorCell.RequestStop(actor);
    }

    /// <summary>
    /// Stops every actor, leaves first, running PostStop everywhere, and waits for
    /// <see cref="WhenTerminated"/>. Throws <see cref="TimeoutException"/> after
    /// <paramref name="timeout"/> (default 10 s), e.g. when an async handler never completes.
    /// </summary>
    public async Task TerminateAsync(TimeSpan? timeout = null)
    {
        ActorCell.RequestStop(_userGuardian.SelfRef);
        var limit = timeout ?? DefaultTerminateTimeout;
        try
        {
            await WhenTerminated.WaitAsync(limit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Actor system '{Name}' did not terminate within {limit}.");
        }
    }

    /// <summary>Terminates with the default timeout; a timeout is logged, not thrown.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await TerminateAsync().ConfigureAwait(false);
        }
        catch (TimeoutException exception)
        {
            _deadLetterLog.LogWarning(exception, "Actor system {ActorSystem} did not terminate in time", Name);
        }
    }

    /// <summary>Sends a <see cref="DeadLetter"/> to <paramref name="subscriber"/> for every undeliverable message.</summary>
    public void SubscribeDeadLetters(IActorRef subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ImmutableInterlocked.Update(ref _deadLetterSubscribers, static (list, s) => list.Contains(s) ? list : list.Add(s), subscriber);
    }

    /// <summary>Stops the dead-letter feed to <paramref name="subscriber"/>.</summary>
    public void UnsubscribeDeadLetters(IActorRef subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ImmutableInterlocked.Update(ref _deadLetterSubscribers, static (list, s) => list.Remove(s), subscriber);
    }

    /// <summary>Spawns a kernel or test-kit helper under /system.</summary>
    internal IActorRef SystemActorOf(Props props, string? name = null) => _systemGuardian.ActorOf(props, name);

    internal void PublishDeadLetter(object message, IActorRef? sender, IActorRef recipient)
    {
        if (message is TimerScheduler.Entry)
        {
            return; // a timer firing into a dead or full mailbox is nobody's news
        }

        if (_deadLetterLog.IsEnabled(LogLevel.Debug))
        {
            _deadLetterLog.LogDebug(
                "Dead letter {MessageType} from {Sender} to {Recipient}",
                message.GetType().Name,
                sender?.Path ?? "noSender",
                recipient.Path);
        }

        var subscribers = _deadLetterSubscribers;
        if (subscribers.IsEmpty || message is DeadLetter)
        {
            return; // a dead subscriber must not feed itself forever
        }

        var letter = new DeadLetter(message, sender, recipient);
        foreach (var subscriber in subscribers)
        {
            subscriber.Tell(letter);
        }
    }

    private ActorCell Guardian(string name)
    {
        var guardian = (LocalActorRef)_root.ActorOf(Props.Create(() => new GuardianActor(SupervisorStrategy.Default)), name);
        return guardian.Cell;
    }
}
