using FcgiActors.Proxy.Relay;
using FcgiActors.Proxy.Routing;
using FcgiActors.Responder;

namespace FcgiActors.Proxy;

/// <summary>
/// One configuration in effect: its settings, router, pools and relay. The front handler hands
/// each request to the current generation; a reload publishes a new one and retires the old,
/// which counts down its requests in flight so it can be disposed when the last one ends.
/// </summary>
internal sealed class ProxyGeneration
{
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private int _retired;

    public ProxyGeneration(int number, ProxySettings settings, IReadOnlyDictionary<string, ProxyPool> pools, Router router, ProxyRelay relay)
    {
        Number = number;
        Settings = settings;
        Pools = pools;
        Router = router;
        Relay = relay;
    }

    public int Number { get; }

    public ProxySettings Settings { get; }

    public IReadOnlyDictionary<string, ProxyPool> Pools { get; }

    public Router Router { get; }

    public ProxyRelay Relay { get; }

    /// <summary>Requests this generation is handling now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Completes once the generation is retired and its last request has ended.</summary>
    public Task Drained => _drained.Task;

    /// <summary>
    /// Counts a request in; false when the generation was retired meanwhile (the caller reads
    /// the current generation again, which a reload publishes before it retires the old one).
    /// </summary>
    public bool TryEnter()
    {
        // Increment first, then check: with Retire writing first and counting second (both full
        // fences), either this sees the retirement or Retire sees this request.
        Interlocked.Increment(ref _inFlight);
        if (Volatile.Read(ref _retired) != 0)
        {
            Exit();
            return false;
        }

        return true;
    }

    /// <summary>Relays a request counted in by <see cref="TryEnter"/>, then counts it out.</summary>
    public async Task HandleAsync(FcgiRequestContext context)
    {
        try
        {
            await Relay.HandleAsync(context).ConfigureAwait(false);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>No new request enters; <see cref="Drained"/> completes when those in flight end.</summary>
    public void Retire()
    {
        Interlocked.Exchange(ref _retired, 1);
        if (Volatile.Read(ref _inFlight) == 0)
        {
            _drained.TrySetResult();
        }
    }

    private void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _retired) != 0)
        {
            _drained.TrySetResult();
        }
    }
}
