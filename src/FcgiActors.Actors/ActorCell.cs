using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Actors;

/// <summary>
/// The runtime of one actor: mailbox, scheduling, lifecycle, children, watches, timers. The actor
/// instance changes on restart; the cell and its reference do not. Not scheduled while idle: a
/// Tell that finds the cell idle queues it on the thread pool, and a run serves system messages
/// first, then up to <see cref="Throughput"/> user messages.
/// </summary>
internal sealed partial class ActorCell : IActorContext, IThreadPoolWorkItem
{
    private const int Throughput = 64;
    private const int InlineThroughput = 4;

    // The cell whose turn this thread is running, if any (PostInline never nests turns).
    [ThreadStatic]
    private static ActorCell? t_running;

    [ThreadStatic]
    private static ActorCell? t_constructing;

    private readonly ActorSystem _system;
    private readonly ActorCell? _parent;
    private readonly Props _props;
    private readonly Mailbox _mailbox;
    private readonly SystemMailbox _systemMessages = new();
    private readonly Lock _sync = new();
    private readonly Action _scheduleAfterTask;
    private int _scheduled; // 1 while queued on or running in the thread pool
    private ActorBase? _actor;
    private IActorRef? _currentSender;
    private Task? _awaitedTask;
    private object? _awaitedMessage;
    private bool _suspended; // failed and waiting for the parent's directive: user messages wait
    private bool _terminating;
    private volatile bool _terminated;
    private ILogger? _log;
    private TimerScheduler? _timers;

    internal ActorCell(ActorSystem system, ActorCell? parent, Props props, string name, string path)
    {
        _system = system;
        _parent = parent;
        _props = props;
        Name = name;
        SelfRef = new LocalActorRef(this, path);
        _mailbox = Mailbox.Create(props.MailboxCapacity);
        _scheduleAfterTask = () => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        SendSystem(new SystemMessage(SystemMessageKind.Create));
    }

    internal static ActorCell? Constructing => t_constructing;

    internal string Name { get; }

    internal LocalActorRef SelfRef { get; }

    /// <summary>Restart bookkeeping for this cell, kept and used by its parent only.</summary>
    internal ChildRestartStats RestartStats { get; } = new();

    /// <summary>Runs once this cell has fully stopped (used by the guardians).</summary>
    internal Action? OnTerminated { get; set; }

    public IActorRef Self => SelfRef;

    public IActorRef Sender => _currentSender ?? ActorRefs.Nobody;

    public IActorRef Parent => (IActorRef?)_parent?.SelfRef ?? ActorRefs.Nobody;

    public ActorSystem System => _system;

    public ITimerScheduler Timers => _timers ??= new TimerScheduler(this);

    public ILogger Log => _log ??= _system.LoggerFactory.CreateLogger(_props.ActorType);

    public void Stop(IActorRef actor) => RequestStop(actor);

    internal static void RequestStop(IActorRef actor)
    {
        if (actor is LocalActorRef { Cell: var cell })
        {
            // Free the name at once, so a replacement can be spawned before this one has finished stopping.
            cell._parent?.MarkStopping(cell);
            cell.SendSystem(new SystemMessage(SystemMessageKind.Terminate));
        }
    }

    internal void Post(object message, IActorRef? sender)
    {
        if (Accept(message, sender))
        {
            ScheduleIfIdle();
        }
    }

    /// <summary>Into the mailbox, or to dead letters when it is full or completed.</summary>
    private bool Accept(object message, IActorRef? sender)
    {
        if (_mailbox.TryWrite(new Envelope(message, sender)))
        {
            return true;
        }

        _system.PublishDeadLetter(message, sender, SelfRef);
        return false;
    }

    /// <summary>Waits for room in a bounded mailbox; an unbounded one completes synchronously.</summary>
    internal async ValueTask PostAsync(object message, IActorRef? sender, CancellationToken ct)
    {
        try
        {
            await _mailbox.WriteAsync(new Envelope(message, sender), ct).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            _system.PublishDeadLetter(message, sender, SelfRef);
            return;
        }

        ScheduleIfIdle();
    }

    internal void SendSystem(SystemMessage message)
    {
        _systemMessages.Enqueue(message);
        ScheduleIfIdle();
    }

    /// <summary>Claims the idle cell's next run for the caller (queue it, or run it in place).</summary>
    private bool TryClaimRun() => Volatile.Read(ref _scheduled) == 0 && Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0;

    private void ScheduleIfIdle()
    {
        if (TryClaimRun())
        {
            // On a pool worker the woken actor goes to that worker's local queue: the sender is
            // usually about to finish its run, so the actor runs next on the same (warm) thread
            // without waking another one; idle workers still steal it. Elsewhere it goes global.
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
        }
    }

    private bool CanProcessUserMessages => !_suspended && !_terminating && !_terminated && _actor is not null;

    public void Execute() => Run(Throughput);

    /// <summary>
    /// Posts, and when the cell is idle runs its turn right here instead of queueing it: for
    /// I/O loops whose event is on a latency-critical path (a backend's END_REQUEST frees the
    /// connection for the next waiting request). The turn is the same turn the pool would run
    /// (one at a time, system messages first), only with a small budget so the loop gets its
    /// thread back soon; what is left is queued as usual. Never nested: from inside any turn it
    /// is a plain post, so an actor never runs inside another one's turn.
    /// </summary>
    internal void PostInline(object message, IActorRef? sender)
    {
        if (!Accept(message, sender))
        {
            return;
        }

        if (t_running is null && TryClaimRun())
        {
            Run(InlineThroughput);
        }
        else
        {
            ScheduleIfIdle();
        }
    }

    private void Run(int budget)
    {
        var outer = t_running;
        t_running = this;
        try
        {
            RunTurn(budget);
        }
        finally
        {
            t_running = outer;
        }
    }

    private void RunTurn(int budget)
    {
        if (_awaitedTask is { } finished)
        {
            _awaitedTask = null;
            CompleteAwaited(finished);
        }

        while (true)
        {
            if (_systemMessages.TryDequeue(out var system))
            {
                ProcessSystem(system);
                continue;
            }

            if (!CanProcessUserMessages || budget-- <= 0 || !_mailbox.TryRead(out var envelope))
            {
                break;
            }

            if (Invoke(envelope.Message, envelope.Sender))
            {
                return;
            }
        }

        // Full fence, then look again: a producer that saw us running did not schedule us.
        Interlocked.Exchange(ref _scheduled, 0);
        if (!_systemMessages.IsEmpty || (CanProcessUserMessages && _mailbox.HasMessages))
        {
            ScheduleIfIdle();
        }
    }

    /// <summary>Runs one user message; true when it left an incomplete task the mailbox must wait for.</summary>
    private bool Invoke(object message, IActorRef? sender)
    {
        var pending = false;
        _currentSender = sender;
        try
        {
            switch (message)
            {
                case PoisonPill:
                    RequestStop(SelfRef);
                    return false;
                case TimerScheduler.Entry entry:
                    if (_timers?.Accept(entry) != true)
                    {
                        return false;
                    }

                    message = entry.Message;
                    break;
                case QueuedTerminated queued:
                    if (TakeQueuedTerminated(queued) is not { } terminated)
                    {
                        return false;
                    }

                    message = terminated;
                    break;
            }

            var task = _actor!.InvokeReceive(message);
            if (task is null)
            {
                return false;
            }

            if (task.IsCompleted)
            {
                FailIfUnsuccessful(task, message);
                return false;
            }

            // Keep _scheduled set: nothing else runs on this actor until the continuation resumes it.
            _awaitedTask = task;
            _awaitedMessage = message;
            pending = true;
            task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_scheduleAfterTask);
            return true;
        }
        catch (Exception exception)
        {
            HandleFailure(exception, message);
            return false;
        }
        finally
        {
            if (!pending)
            {
                _currentSender = null;
            }
        }
    }

    private void CompleteAwaited(Task task)
    {
        var message = _awaitedMessage;
        _awaitedMessage = null;
        FailIfUnsuccessful(task, message);
        _currentSender = null;
    }

    private void FailIfUnsuccessful(Task task, object? message)
    {
        if (!task.IsCompletedSuccessfully)
        {
            var exception = task.Exception?.InnerException
                ?? new OperationCanceledException($"The async handler for {message?.GetType().Name} was cancelled.");
            HandleFailure(exception, message);
        }
    }

    private ActorBase NewInstance()
    {
        var previous = t_constructing;
        t_constructing = this;
        try
        {
            return _props.Factory();
        }
        finally
        {
            t_constructing = previous;
        }
    }
}
