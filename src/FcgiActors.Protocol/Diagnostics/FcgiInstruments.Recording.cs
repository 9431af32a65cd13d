using System.Diagnostics.Metrics;

namespace FcgiActors.Diagnostics;

/// <summary>
/// One call per event, for the libraries' hot paths: each checks <c>Enabled</c> first and passes
/// a cached tag array, so a measurement nobody listens to costs a field read, and one somebody
/// listens to allocates nothing.
/// </summary>
public static partial class FcgiInstruments
{
    private static readonly int s_components = Enum.GetValues<FcgiComponent>().Length;
    private static readonly KeyValuePair<string, object?>[][] s_componentTags = BuildComponentTags();
    private static readonly KeyValuePair<string, object?>[][] s_outcomeTags = BuildPairTags<FcgiRequestOutcome>(OutcomeTag, OutcomeName);
    private static readonly KeyValuePair<string, object?>[][] s_errorTags = BuildPairTags<FcgiBackendError>(ErrorTypeTag, BackendErrorName);

    /// <summary>A connection opened (accepted by a responder, connected by a client).</summary>
    public static void ConnectionOpened(FcgiComponent component) => Add(ActiveConnections, 1, component);

    /// <summary>A connection counted by <see cref="ConnectionOpened"/> closed.</summary>
    public static void ConnectionClosed(FcgiComponent component) => Add(ActiveConnections, -1, component);

    /// <summary>A request began (BEGIN_REQUEST accepted, or an application started on it).</summary>
    public static void RequestBegan(FcgiComponent component) => Add(ActiveRequests, 1, component);

    /// <summary>A request counted by <see cref="RequestBegan"/> ended with <paramref name="outcome"/>.</summary>
    public static void RequestEnded(FcgiComponent component, FcgiRequestOutcome outcome)
    {
        Add(ActiveRequests, -1, component);
        if (Requests.Enabled)
        {
            Requests.Add(1, s_outcomeTags[Index(component, (int)outcome)]);
        }
    }

    /// <summary>Records how long the application took for a request that ended with <paramref name="outcome"/>.</summary>
    public static void RecordDuration(FcgiComponent component, FcgiRequestOutcome outcome, TimeSpan elapsed)
    {
        if (RequestDuration.Enabled)
        {
            RequestDuration.Record(elapsed.TotalSeconds, s_outcomeTags[Index(component, (int)outcome)]);
        }
    }

    /// <summary><paramref name="bytes"/> read from a socket in one read.</summary>
    public static void Received(FcgiComponent component, long bytes) => Add(BytesReceived, bytes, component);

    /// <summary><paramref name="bytes"/> written to a socket in one flushed batch.</summary>
    public static void Sent(FcgiComponent component, long bytes) => Add(BytesSent, bytes, component);

    /// <summary>A request entered a proxy pool queue.</summary>
    public static void ProxyQueued()
    {
        if (ProxyQueueDepth.Enabled)
        {
            ProxyQueueDepth.Add(1);
        }
    }

    /// <summary>A request left a proxy pool queue (granted a backend, timed out, or its front went away).</summary>
    public static void ProxyDequeued()
    {
        if (ProxyQueueDepth.Enabled)
        {
            ProxyQueueDepth.Add(-1);
        }
    }

    /// <summary>The proxy answered a request with its overload policy.</summary>
    public static void ProxyOverloadAnswered()
    {
        if (ProxyOverloaded.Enabled)
        {
            ProxyOverloaded.Add(1);
        }
    }

    /// <summary><paramref name="count"/> backend failures of kind <paramref name="error"/> (e.g. the requests lost with a connection).</summary>
    public static void BackendFailed(FcgiComponent component, FcgiBackendError error, int count = 1)
    {
        if (count > 0 && BackendErrors.Enabled)
        {
            BackendErrors.Add(count, s_errorTags[Index(component, (int)error)]);
        }
    }

    /// <summary>A supervised backend process exited and is being restarted.</summary>
    public static void BackendRestarted(FcgiComponent component) => Add(BackendRestarts, 1, component);

    private static void Add(Counter<long> counter, long value, FcgiComponent component)
    {
        if (counter.Enabled)
        {
            counter.Add(value, s_componentTags[(int)component]);
        }
    }

    private static void Add(UpDownCounter<long> counter, long value, FcgiComponent component)
    {
        if (counter.Enabled)
        {
            counter.Add(value, s_componentTags[(int)component]);
        }
    }

    private static int Index(FcgiComponent component, int value) => value * s_components + (int)component;

    private static KeyValuePair<string, object?>[][] BuildComponentTags() =>
        Enum.GetValues<FcgiComponent>().Select(c => new[] { new KeyValuePair<string, object?>(ComponentTag, ComponentName(c)) }).ToArray();

    /// <summary>One [component, tag] array per (value, component), at <see cref="Index"/>.</summary>
    private static KeyValuePair<string, object?>[][] BuildPairTags<T>(string tag, Func<T, string> name)
        where T : struct, Enum
    {
        var components = Enum.GetValues<FcgiComponent>();
        var values = Enum.GetValues<T>();
        var tags = new KeyValuePair<string, object?>[values.Length * components.Length][];
        foreach (var value in values)
        {
            foreach (var component in components)
            {
                tags[Index(component, Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture))] =
                [
                    new(ComponentTag, ComponentName(component)),
                    new(tag, name(value)),
                ];
            }
        }

        return tags;
    }
}
