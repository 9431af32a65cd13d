using System.Text;

namespace FcgiActors.Hocon;

/// <summary>
/// Resolves substitutions over a parsed tree (HOCON.md "Substitutions"). Paths are looked up
/// from the root resolving only what lies on the path, so an object may refer into itself;
/// each node is resolved once; a node met again while being resolved is a cycle.
/// </summary>
internal sealed class HoconResolver
{
    private readonly HoconObject _root;
    private readonly Func<string, string?> _environment;
    private readonly Dictionary<HoconValue, HoconValue?> _done = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<HoconValue> _active = new(ReferenceEqualityComparer.Instance);

    public HoconResolver(HoconObject root, Func<string, string?> environment)
    {
        _root = root;
        _environment = environment;
    }

    public HoconObject Resolve() => (HoconObject)Resolve(_root)!;

    /// <summary>The resolved value, or null when it is undefined (an unset optional substitution).</summary>
    private HoconValue? Resolve(HoconValue value)
    {
        if (value is HoconScalar) return value;
        if (_done.TryGetValue(value, out var done)) return done;
        if (!_active.Add(value))
        {
            var what = value is HoconSubstitution s ? "substitution " + s.Text : "this value";
            throw value.Position.Error($"cycle: {what} refers back to itself");
        }
        try
        {
            var result = value switch
            {
                HoconObject o => ResolveObject(o),
                HoconArray a => new HoconArray(a.Items.Select(Resolve).OfType<HoconValue>().ToList(), a.Position),
                HoconSubstitution s => ResolveSubstitution(s),
                HoconConcatenation c => ResolveConcatenation(c),
                HoconMergeStack m => ResolveStack(m, m.Layers.Count - 1),
                HoconPathLookup l => Walk(Resolve(l.Root), l.Path),
                HoconUndefined => null,
                _ => throw new InvalidOperationException("unknown HOCON node " + value.GetType().Name),
            };
            _done[value] = result;
            return result;
        }
        finally
        {
            _active.Remove(value);
        }
    }

    private HoconObject ResolveObject(HoconObject o)
    {
        var result = new HoconObject(o.Position);
        foreach (var (key, field) in o.Fields)
        {
            var resolved = Resolve(field);
            if (resolved is not null) result.Set(key, resolved);
        }
        return result;
    }

    /// <summary>Newest defined layer wins; an object merges with the (resolved) layers below it.</summary>
    private HoconValue? ResolveStack(HoconMergeStack stack, int top)
    {
        for (var i = top; i >= 0; i--)
        {
            var value = Resolve(stack.Layers[i]);
            if (value is null) continue;
            if (value is HoconObject obj && i > 0 && ResolveStack(stack, i - 1) is HoconObject below)
            {
                return Merge(below, obj);
            }
            return value;
        }
        return null;
    }

    /// <summary>HOCON.md "Duplicate keys": fields of <paramref name="top"/> win; objects in both merge.</summary>
    internal static HoconObject Merge(HoconObject below, HoconObject top)
    {
        var result = new HoconObject(top.Position);
        foreach (var (k, v) in below.Fields) result.Set(k, v);
        foreach (var (k, v) in top.Fields)
        {
            result.Set(k, v is HoconObject o && result.TryGet(k, out var old) && old is HoconObject oldObj ? Merge(oldObj, o) : v);
        }
        return result;
    }

    private HoconValue? ResolveSubstitution(HoconSubstitution s)
    {
        if (!s.EnvironmentOnly)
        {
            foreach (var path in s.Candidates)
            {
                if (Lookup(path) is { } found) return found;
            }
        }
        var name = string.Join('.', s.Candidates[^1]);
        var env = _environment(name);
        if (env is not null) return new HoconScalar(HoconValueKind.String, env, s.Position);
        if (s.Optional) return null;
        throw s.Position.Error($"could not resolve substitution {s.Text}: not set in the configuration nor as an environment variable (use ${{?...}} if it is optional)");
    }

    /// <summary>
    /// Resolves only what lies on <paramref name="path"/> from the root. Merges and object
    /// concatenations met on the way are looked into layer by layer (newest first) instead of
    /// being resolved whole, so a field may refer to a sibling inside the same merged value
    /// (HOCON.md: "allow objects to refer to paths within themselves").
    /// </summary>
    private HoconValue? Lookup(IReadOnlyList<string> path)
    {
        List<HoconValue> layers = [_root];
        for (var i = 0; i < path.Count; i++)
        {
            var children = new List<HoconValue>();
            foreach (var layer in Expand(layers))
            {
                if (layer is not HoconObject o) break; // a newer non-object hides everything older
                if (!o.TryGet(path[i], out var child)) continue;
                children.Add(child);
                if (child is HoconScalar or HoconArray) break;
            }
            if (children.Count == 0) return null;
            layers = children;
        }
        return layers.Count == 1 ? Resolve(layers[0]) : Resolve(new HoconMergeStack(layers.AsEnumerable().Reverse().ToList(), layers[0].Position));
    }

    /// <summary>
    /// The layers of a value, newest first: a merge's layers and an object concatenation's parts
    /// are opened; anything else unresolved is resolved on its own (undefined ones vanish).
    /// </summary>
    private IEnumerable<HoconValue> Expand(IEnumerable<HoconValue> layers)
    {
        foreach (var layer in layers)
        {
            switch (layer)
            {
                case HoconMergeStack m:
                    foreach (var inner in Expand(m.Layers.Reverse())) yield return inner;
                    break;
                case HoconConcatenation c when c.Parts.All(p => p is HoconObject or HoconSubstitution or HoconScalar { IsSeparator: true }):
                    var parts = c.Parts.Where(p => p is not HoconScalar { IsSeparator: true }).Reverse();
                    foreach (var inner in Expand(parts))
                    {
                        yield return inner;
                        // A concatenation merges all its objects; a non-object part is an error
                        // that resolving the whole value will report.
                        if (inner is not HoconObject) yield break;
                    }
                    break;
                case HoconUnresolved:
                    if (Resolve(layer) is { } resolved) yield return resolved;
                    break;
                default:
                    yield return layer;
                    break;
            }
        }
    }

    private static HoconValue? Walk(HoconValue? node, IReadOnlyList<string> path)
    {
        foreach (var element in path)
        {
            if (node is not HoconObject o || !o.TryGet(element, out node)) return null;
        }
        return node;
    }

    /// <summary>HOCON.md "Value concatenation" and "String value concatenation" / array and object concatenation.</summary>
    private HoconValue? ResolveConcatenation(HoconConcatenation c)
    {
        var parts = new List<(HoconValue Value, bool FromSubstitution)>();
        foreach (var part in c.Parts)
        {
            var resolved = Resolve(part);
            if (resolved is not null) parts.Add((resolved, part is not HoconScalar));
        }
        // HOCON.md "Self-Referential Substitutions"/optional: an undefined part is an empty
        // string (or empty object/array) in a concatenation; the whitespace around it stays.
        var values = parts.Where(p => p.Value is not HoconScalar { IsSeparator: true }).ToList();
        if (values.Count == 0) return null;
        if (parts.Count == 1) return parts[0].Value;

        if (values.All(p => p.Value is HoconObject))
        {
            return values.Select(p => (HoconObject)p.Value).Aggregate(Merge);
        }
        if (values.All(p => p.Value is HoconArray))
        {
            return new HoconArray(values.SelectMany(p => ((HoconArray)p.Value).Items).ToList(), c.Position);
        }
        var sb = new StringBuilder();
        foreach (var (value, fromSubstitution) in parts)
        {
            switch (value)
            {
                case HoconScalar { Kind: HoconValueKind.Null } when fromSubstitution:
                    break; // HOCON.md: a substitution that is null concatenates as "".
                case HoconScalar scalar:
                    sb.Append(scalar.Text);
                    break;
                default:
                    var kind = value.Kind == HoconValueKind.Object ? "an object" : "an array";
                    throw c.Position.Error($"cannot concatenate {kind} (from {value.Origin}) with a string or a value of another type");
            }
        }
        return new HoconScalar(HoconValueKind.String, sb.ToString(), c.Position);
    }
}
