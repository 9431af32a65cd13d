using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Actors;

internal sealed partial class ActorCell
{
    private List<ActorCell>? _escalatedChildren;

    private void ProcessSystem(SystemMessage message)
    {
        if (_terminated)
        {
            return; // late traffic to a stopped cell
        }

        switch (message.Kind)
        {
            case SystemMessageKind.Create:
                Create();
                break;
            case SystemMessageKind.Terminate:
                BeginTerminate();
                break;
            case SystemMessageKind.Failed:
                HandleChildFailure((ActorCell)message.Target!, message.Cause!, message.Message);
                break;
            case SystemMessageKind.Resume:
                ResumeAfterFailure();
                break;
            case SystemMessageKind.Recreate:
                Recreate(message.Cause!, message.Message);
                break;
            case SystemMessageKind.ChildTerminated:
                OnChildTerminated((ActorCell)message.Target!);
                break;
            case SystemMessageKind.DeathWatchNotification:
                OnWatchedTerminated((InternalActorRef)message.Target!);
                break;
        }
    }

    private void Create()
    {
        try
        {
            _actor = NewInstance();
            _actor.InvokePreStart();
        }
        catch (Exception exception)
        {
            HandleFailure(exception, null);
        }
    }

    /// <summary>Suspends this actor and hands the failure to the parent, whose strategy decides.</summary>
    private void HandleFailure(Exception exception, object? message)
    {
        if (_terminating || _terminated)
        {
            Log.LogError(exception, "Actor {ActorPath} failed while stopping", SelfRef.Path);
            return;
        }

        _suspended = true;
        if (_parent is null)
        {
            Log.LogCritical(exception, "Root actor {ActorPath} failed; stopping the actor system", SelfRef.Path);
            RequestStop(SelfRef);
            return;
        }

        _parent.SendSystem(new SystemMessage(SystemMessageKind.Failed, this, exception, message));
    }

    private void HandleChildFailure(ActorCell child, Exception cause, object? message)
    {
        if (!IsLiveChild(child) || _terminating)
        {
            return; // already stopping: nothing left to decide
        }

        SupervisorStrategy strategy;
        Directive directive;
        try
        {
            strategy = _actor?.InvokeSupervisorStrategy() ?? SupervisorStrategy.Default;
            directive = strategy.Decide(cause);
        }
        catch (Exception exception)
        {
            (_escalatedChildren ??= []).Add(child);
            HandleFailure(exception, null);
            return;
        }

        var delay = TimeSpan.Zero;
        var exhausted = directive == Directive.Restart && !strategy.TryRestart(child.RestartStats, Stopwatch.GetElapsedTime(0).Ticks, out delay);
        if (exhausted)
        {
            directive = Directive.Stop;
        }

        if (strategy.LoggingEnabled)
        {
            child.Log.LogError(
                cause,
                "Actor {ActorPath} failed on {MessageType}; supervisor directive {Directive}{Exhausted} after {Delay}",
                child.SelfRef.Path,
                message?.GetType().Name ?? "start",
                directive,
                exhausted ? " (restart budget spent)" : string.Empty,
                delay);
        }

        switch (directive)
        {
            case Directive.Resume:
                child.SendSystem(new SystemMessage(SystemMessageKind.Resume));
                break;
            case Directive.Restart:
                var recreate = new SystemMessage(SystemMessageKind.Recreate, null, cause, message);
                if (delay <= TimeSpan.Zero)
                {
                    child.SendSystem(recreate);
                }
                else
                {
                    // The child stays suspended meanwhile: its user messages wait in the mailbox.
                    _ = Task.Delay(delay).ContinueWith(_ => child.SendSystem(recreate), TaskScheduler.Default);
                }

                break;
            case Directive.Stop:
                RequestStop(child.SelfRef);
                break;
            case Directive.Escalate:
                (_escalatedChildren ??= []).Add(child);
                HandleFailure(cause, message);
                break;
        }
    }

    private void ResumeAfterFailure()
    {
        if (!_suspended || _terminating)
        {
            return;
        }

        _suspended = false;
        ResumeEscalatedChildren();
        if (_actor is null)
        {
            Create(); // creation itself failed: there is no instance to resume, so make one
        }
    }

    private void Recreate(Exception cause, object? message)
    {
        if (_terminating)
        {
            return;
        }

        _timers?.CancelAll();
        if (_actor is { } failed)
        {
            try
            {
                failed.InvokePreRestart(cause, message);
            }
            catch (Exception exception)
            {
                Log.LogError(exception, "PreRestart of {ActorPath} failed", SelfRef.Path);
            }
        }

        _actor = null;
        try
        {
            _actor = NewInstance();
            _actor.InvokePostRestart(cause);
        }
        catch (Exception exception)
        {
            HandleFailure(exception, null); // still suspended; the parent decides again
            return;
        }

        _suspended = false;
        ResumeEscalatedChildren();
    }

    private void ResumeEscalatedChildren()
    {
        if (_escalatedChildren is { } escalated)
        {
            _escalatedChildren = null;
            foreach (var child in escalated)
            {
                child.SendSystem(new SystemMessage(SystemMessageKind.Resume));
            }
        }
    }

    private void BeginTerminate()
    {
        if (_terminating)
        {
            return;
        }

        var children = CloseChildren(); // sets _terminating
        _timers?.CancelAll();
        foreach (var child in children)
        {
            child.SendSystem(new SystemMessage(SystemMessageKind.Terminate));
        }

        TryFinishTerminate();
    }

    /// <summary>Completes the stop once every child has stopped: PostStop, dead letters, notifications.</summary>
    private void TryFinishTerminate()
    {
        if (_terminated || !TryCloseForTermination())
        {
            return;
        }

        try
        {
            _actor?.InvokePostStop();
        }
        catch (Exception exception)
        {
            Log.LogError(exception, "PostStop of {ActorPath} failed", SelfRef.Path);
        }

        _terminated = true;
        _actor = null;
        _mailbox.TryComplete();
        while (_mailbox.TryRead(out var envelope))
        {
            if (envelope.Message is not (TimerScheduler.Entry or QueuedTerminated))
            {
                _system.PublishDeadLetter(envelope.Message, envelope.Sender, SelfRef);
            }
        }

        UnwatchAll();

        // The parent learns first, so its Terminated handler can reuse the name.
        _parent?.SendSystem(new SystemMessage(SystemMessageKind.ChildTerminated, this));
        NotifyWatchers();
        OnTerminated?.Invoke();
    }
}
