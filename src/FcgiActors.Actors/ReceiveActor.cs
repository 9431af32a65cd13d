namespace FcgiActors.Actors;

/// <summary>
/// An actor whose behaviour is a list of typed handlers, registered in the constructor and
/// replaced with <see cref="Become"/>. The first handler whose type and predicate match wins.
/// </summary>
public abstract class ReceiveActor : ActorBase
{
    private List<Handler> _handlers = [];
    private List<Handler>? _configuring;

    /// <summary>Handles messages of type <typeparamref name="T"/> (that satisfy <paramref name="shouldHandle"/>).</summary>
    protected void Receive<T>(Action<T> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Current.Add(new Handler<T>(handler, null, shouldHandle));
    }

    /// <summary>Handles messages asynchronously; the actor takes no other message until the task completes.</summary>
    protected void ReceiveAsync<T>(Func<T, Task> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Current.Add(new Handler<T>(null, handler, shouldHandle));
    }

    /// <summary>Handles any message not taken by an earlier handler.</summary>
    protected void ReceiveAny(Action<object> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Current.Add(new Handler<object>(handler, null, null));
    }

    /// <summary>Replaces the current handlers with those registered by <paramref name="configure"/>.</summary>
    protected void Become(Action configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var handlers = new List<Handler>();
        _configuring = handlers;
        try
        {
            configure();
        }
        finally
        {
            _configuring = null;
        }

        _handlers = handlers;
    }

    /// <inheritdoc />
    protected sealed override bool Receive(object message) => TryDispatch(message, out _);

    internal sealed override Task? InvokeReceive(object message)
    {
        if (!TryDispatch(message, out var task))
        {
            InvokeUnhandled(message);
        }

        return task;
    }

    private List<Handler> Current => _configuring ?? _handlers;

    private bool TryDispatch(object message, out Task? task)
    {
        // Iterate a snapshot: a handler may call Become and swap the list.
        var handlers = _handlers;
        for (var i = 0; i < handlers.Count; i++)
        {
            if (handlers[i].TryHandle(message, out task))
            {
                return true;
            }
        }

        task = null;
        return false;
    }

    private abstract class Handler
    {
        public abstract bool TryHandle(object message, out Task? task);
    }

    private sealed class Handler<T>(Action<T>? action, Func<T, Task>? asyncAction, Predicate<T>? shouldHandle) : Handler
    {
        public override bool TryHandle(object message, out Task? task)
        {
            if (message is T typed && (shouldHandle is null || shouldHandle(typed)))
            {
                if (action is not null)
                {
                    action(typed);
                    task = null;
                }
                else
                {
                    task = asyncAction!(typed);
                }

                return true;
            }

            task = null;
            return false;
        }
    }
}
