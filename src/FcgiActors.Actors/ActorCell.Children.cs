using System.Globalization;

namespace FcgiActors.Actors;

internal sealed partial class ActorCell
{
    // Guarded by _sync: system.ActorOf reaches the guardians from any thread.
    private Dictionary<string, ActorCell>? _children;
    private HashSet<ActorCell>? _stoppingChildren;
    private bool _childrenClosed;
    private long _nameCounter;

    public IReadOnlyCollection<IActorRef> Children
    {
        get
        {
            lock (_sync)
            {
                return _children is { Count: > 0 } ? [.. _children.Values.Select(c => c.SelfRef)] : [];
            }
        }
    }

    public IActorRef ActorOf(Props props, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(props);
        if (name is not null && (name.Length == 0 || name.Contains('/', StringComparison.Ordinal)))
        {
            throw new InvalidActorNameException($"Actor name '{name}' is invalid: it must be non-empty and contain no '/'.");
        }

        ActorCell child;
        bool stopAtOnce;
        lock (_sync)
        {
            if (_childrenClosed)
            {
                throw new InvalidOperationException($"Cannot create a child of {SelfRef.Path}: it has stopped.");
            }

            _children ??= new Dictionary<string, ActorCell>(StringComparer.Ordinal);
            if (name is null)
            {
                do
                {
                    name = "$" + (++_nameCounter).ToString(CultureInfo.InvariantCulture);
                }
                while (_children.ContainsKey(name));
            }
            else if (_children.ContainsKey(name))
            {
                throw new InvalidActorNameException($"Actor name '{name}' is not unique under {SelfRef.Path}.");
            }

            var path = _parent is null ? "/" + name : SelfRef.Path + "/" + name;
            child = new ActorCell(_system, this, props, name, path);

            // A parent that is stopping still owns the child, so it waits for it too.
            stopAtOnce = _terminating;
            if (stopAtOnce)
            {
                (_stoppingChildren ??= []).Add(child);
            }
            else
            {
                _children[name] = child;
            }
        }

        if (stopAtOnce)
        {
            child.SendSystem(new SystemMessage(SystemMessageKind.Terminate));
        }

        return child.SelfRef;
    }

    private void MarkStopping(ActorCell child)
    {
        lock (_sync)
        {
            if (_children is not null && _children.TryGetValue(child.Name, out var live) && live == child)
            {
                _children.Remove(child.Name);
                (_stoppingChildren ??= []).Add(child);
            }
        }
    }

    private bool IsLiveChild(ActorCell child)
    {
        lock (_sync)
        {
            return _children is not null && _children.TryGetValue(child.Name, out var live) && live == child;
        }
    }

    private void OnChildTerminated(ActorCell child)
    {
        lock (_sync)
        {
            if (_children is not null && _children.TryGetValue(child.Name, out var live) && live == child)
            {
                _children.Remove(child.Name);
            }

            _stoppingChildren?.Remove(child);
        }

        _escalatedChildren?.Remove(child);
        if (_terminating)
        {
            TryFinishTerminate();
        }
    }

    /// <summary>Moves every live child to the stopping set and returns all children still stopping.</summary>
    private ActorCell[] CloseChildren()
    {
        lock (_sync)
        {
            _terminating = true;
            if (_children is { Count: > 0 })
            {
                _stoppingChildren ??= [];
                _stoppingChildren.UnionWith(_children.Values);

                _children.Clear();
            }

            return _stoppingChildren is { Count: > 0 } ? [.. _stoppingChildren] : [];
        }
    }

    /// <summary>True, and no child can be added any more, once no child is left.</summary>
    private bool TryCloseForTermination()
    {
        lock (_sync)
        {
            if (_children is { Count: > 0 } || _stoppingChildren is { Count: > 0 })
            {
                return false;
            }

            _childrenClosed = true;
            return true;
        }
    }
}
