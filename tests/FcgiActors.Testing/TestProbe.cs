using System.Diagnostics;
using System.Threading.Channels;
using FcgiActors.Actors;
using Xunit;

namespace FcgiActors.Testing;

/// <summary>
/// An actor whose inbox a test reads: every message sent to <see cref="Ref"/> (and every
/// <see cref="Terminated"/> of a watched actor) is queued for the Expect methods, in order.
/// Failures say what was expected and what arrived.
/// </summary>
public sealed partial class TestProbe
{
    /// <summary>The timeout of the Expect methods when none is given.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(3);

    private readonly Channel<(object Message, IActorRef Sender)> _inbox =
        Channel.CreateUnbounded<(object Message, IActorRef Sender)>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Spawns the probe actor under /system (its name made unique with a counter).</summary>
    public TestProbe(ActorSystem system, string name = "probe")
    {
        ArgumentNullException.ThrowIfNull(system);
        System = system;
        Ref = system.SystemActorOf(Props.Create(() => new ProbeActor(_inbox.Writer)), $"{name}-{Interlocked.Increment(ref s_counter)}");
    }

    private static long s_counter;

    /// <summary>The system the probe lives in.</summary>
    public ActorSystem System { get; }

    /// <summary>The probe's own reference: send to it, or pass it as a sender.</summary>
    public IActorRef Ref { get; }

    /// <summary>The sender of the message last taken from the inbox (<see cref="ActorRefs.Nobody"/> before any).</summary>
    public IActorRef LastSender { get; private set; } = ActorRefs.Nobody;

    /// <summary>Takes the next message, which must be a <typeparamref name="T"/>.</summary>
    public Task<T> ExpectMsgAsync<T>(TimeSpan? timeout = null) => ExpectMsgAsync<T>(static _ => true, timeout);

    /// <summary>Takes the next message, which must be a <typeparamref name="T"/> satisfying <paramref name="match"/>.</summary>
    public async Task<T> ExpectMsgAsync<T>(Predicate<T> match, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(match);
        var limit = timeout ?? DefaultTimeout;
        var (message, sender) = await ReceiveOneAsync(limit, $"a {typeof(T).Name}").ConfigureAwait(false);
        if (message is not T typed)
        {
            Assert.Fail($"Probe {Ref.Path} expected a {typeof(T).Name} but received {Describe(message, sender)}.");
            throw new UnreachableException();
        }

        if (!match(typed))
        {
            Assert.Fail($"Probe {Ref.Path} expected a {typeof(T).Name} matching the predicate but received {Describe(message, sender)}.");
        }

        return typed;
    }

    /// <summary>Fails if any message arrives within <paramref name="duration"/>.</summary>
    public async Task ExpectNoMsgAsync(TimeSpan duration)
    {
        using var cts = new CancellationTokenSource(duration);
        try
        {
            var (message, sender) = await _inbox.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
            LastSender = sender;
            Assert.Fail($"Probe {Ref.Path} expected no message for {duration.TotalMilliseconds} ms but received {Describe(message, sender)}.");
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            // Nothing arrived: as expected.
        }
    }

    /// <summary>Skips messages until a <typeparamref name="T"/> satisfying <paramref name="match"/> arrives, all within the timeout.</summary>
    public async Task<T> FishForMessageAsync<T>(Predicate<T> match, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(match);
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        var skipped = new List<string>();
        while (true)
        {
            var remaining = limit - clock.Elapsed;
            var what = $"a {typeof(T).Name} matching the predicate (skipped so far: [{string.Join(", ", skipped)}])";
            var (message, sender) = await ReceiveOneAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, what).ConfigureAwait(false);
            if (message is T typed && match(typed))
            {
                return typed;
            }

            skipped.Add(Describe(message, sender));
        }
    }

    /// <summary>Runs <paramref name="body"/> and fails if it took longer than <paramref name="max"/>.</summary>
    public async Task WithinAsync(TimeSpan max, Func<Task> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var clock = Stopwatch.StartNew();
        await body().ConfigureAwait(false);
        if (clock.Elapsed > max)
        {
            Assert.Fail($"Probe {Ref.Path} expected the block to finish within {max.TotalMilliseconds} ms but it took {clock.Elapsed.TotalMilliseconds:F0} ms.");
        }
    }

    /// <summary>Watches <paramref name="actor"/>: its <see cref="Terminated"/> arrives in this inbox, once.</summary>
    public void Watch(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        Ref.Tell(new ProbeActor.WatchCommand(actor, Watch: true));
    }

    /// <summary>Stops watching <paramref name="actor"/>.</summary>
    public void Unwatch(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        Ref.Tell(new ProbeActor.WatchCommand(actor, Watch: false));
    }

    /// <summary>Takes the next message, which must be the <see cref="Terminated"/> of <paramref name="actor"/>.</summary>
    public Task<Terminated> ExpectTerminatedAsync(IActorRef actor, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return ExpectMsgAsync<Terminated>(t => t.ActorRef.Equals(actor), timeout);
    }

    /// <summary>Replies to <see cref="LastSender"/> with the probe as sender.</summary>
    public void Reply(object message) => LastSender.Tell(message, Ref);

    /// <summary>Tells <paramref name="target"/> <paramref name="message"/> with the probe as sender.</summary>
    public void Send(IActorRef target, object message)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Tell(message, Ref);
    }

    private async Task<(object Message, IActorRef Sender)> ReceiveOneAsync(TimeSpan timeout, string expected)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var item = await _inbox.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
            LastSender = item.Sender;
            return item;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Assert.Fail($"Probe {Ref.Path} expected {expected} within {timeout.TotalMilliseconds:F0} ms but received nothing.");
            throw new UnreachableException();
        }
    }

    private static string Describe(object message, IActorRef sender) => $"{message.GetType().Name} '{message}' from {sender.Path}";
}
