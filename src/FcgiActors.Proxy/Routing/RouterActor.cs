using FcgiActors.Actors;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Proxy.Routing;

/// <summary>
/// The router's timekeeper: one timer per queued request (its queue timeout), and the periodic
/// probing of backends taken out, one probe at a time per backend. The routing decisions
/// themselves are taken by <see cref="Router"/> on the caller's thread (see its remarks).
/// </summary>
internal sealed partial class RouterActor : ReceiveActor
{
    private readonly Router _router;
    private readonly HashSet<(string Pool, int Backend)> _probing = [];
    private readonly Func<string, int, CancellationToken, Task<bool>> _probe;
    private readonly HealthSettings _health;

    public RouterActor(Router router, HealthSettings health, Func<string, int, CancellationToken, Task<bool>> probe)
    {
        _router = router;
        _probe = probe;
        _health = health;

        Receive<StartQueueTimer>(m =>
            Context.Timers.StartSingleTimer((m.Pool, m.WaiterId), new QueueTimedOut(m.Pool, m.WaiterId), m.Timeout));
        // A cancel may overtake the start it cancels (they come from different threads): the
        // timer then fires for a request that is no longer queued, which changes nothing.
        Receive<CancelQueueTimer>(m => Context.Timers.Cancel((m.Pool, m.WaiterId)));
        Receive<QueueTimedOut>(m => _router.TimeOut(m.Pool, m.WaiterId));
        Receive<ProbeTick>(_ => StartProbes());
        Receive<ProbeCompleted>(m =>
        {
            _probing.Remove((m.Pool, m.Backend));
            if (_router.ProbeAnswered(m.Pool, m.Backend, m.Healthy))
            {
                Context.Log.LogInformation("Backend {Backend} of pool {Pool} answered its probe; back in", m.Backend, m.Pool);
            }
        });
    }

    protected override void PreStart() =>
        Context.Timers.StartPeriodicTimer(nameof(ProbeTick), ProbeTick.Instance, _health.ProbeInterval);

    private void StartProbes()
    {
        foreach (var (pool, backend) in _router.Unhealthy())
        {
            if (!_probing.Add((pool, backend)))
            {
                continue;
            }

            var self = Self;
            var probe = _probe;
            var timeout = _health.ProbeTimeout;
            _ = Task.Run(async () =>
            {
                bool healthy;
                using var cts = new CancellationTokenSource(timeout);
                try
                {
                    healthy = await probe(pool, backend, cts.Token).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    healthy = false;
                }

                self.Tell(new ProbeCompleted(pool, backend, healthy));
            });
        }
    }
}
