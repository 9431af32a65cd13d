using FcgiActors.Actors;

namespace FcgiActors.Proxy.Supervision;

/// <summary>
/// A pool's spawned backends, as an actor (DESIGN.md: ProcessSupervisor): one
/// <see cref="ProcessSlotActor"/> child per slot, restarted by this actor's strategy with
/// exponential backoff (spawn.restart-min-backoff doubling to restart-max-backoff, back to the
/// minimum after restart-reset-after of uptime) whenever its process exits. On
/// <see cref="StopProcesses"/> it stops the slot actors first (so no restart can follow), then
/// sends SIGTERM, SIGKILL after spawn.stop-timeout, and closes the listen sockets it owns.
/// </summary>
internal sealed partial class ProcessSupervisorActor : ReceiveActor
{
    private const int SIGTERM = 15;
    private const int SIGKILL = 9;

    private readonly ProcessSlot[] _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Setup _setup;
    private readonly HashSet<IActorRef> _children = [];
    private IActorRef? _replyTo;
    private bool _stopped;

    public ProcessSupervisorActor(PoolSettings pool, ProcessSlot[] slots, Microsoft.Extensions.Logging.ILogger log, Action<int, bool> onChange)
    {
        _slots = slots;
        _setup = new Setup(pool, pool.Spawn!, log, onChange, _stopping.Token);
        Receive<StopProcesses>(_ => OnStop());
        Receive<Terminated>(terminated => _children.Remove(terminated.ActorRef));
    }

    protected override SupervisorStrategy SupervisorStrategy()
    {
        var spawn = _setup.Spawn;
        // No jitter: the delays are the documented ones (and the ones the slot logs). The slot logs
        // its own start failures (Error) and exits (Warning), so the kernel does not log them again.
        return new OneForOneStrategy(Decider.From(Directive.Restart),
            backoff: new BackoffOptions(spawn.RestartMinBackoff, spawn.RestartMaxBackoff, RandomFactor: 0, ResetAfter: spawn.RestartResetAfter),
            loggingEnabled: false);
    }

    protected override void PreStart()
    {
        foreach (var slot in _slots)
        {
            var (setup, s) = (_setup, slot);
            var child = Context.ActorOf(Props.Create(() => new ProcessSlotActor(setup, s)), $"slot-{slot.Index}");
            Context.Watch(child);
            _children.Add(child);
        }
    }

    protected override void PostStop()
    {
        if (!_stopped)
        {
            // Stopped without StopProcesses (the system went down): at least ask them to go.
            foreach (var slot in _slots)
            {
                slot.Process?.Signal(SIGTERM);
            }

            CloseSockets();
        }

        _stopping.Dispose();
    }

    private void OnStop()
    {
        _replyTo = Sender;
        _stopping.Cancel();
        foreach (var child in _children)
        {
            Context.Stop(child); // a Stop wins over a pending backoff restart
        }

        Become(() =>
        {
            Receive<Terminated>(terminated =>
            {
                _children.Remove(terminated.ActorRef);
                if (_children.Count == 0)
                {
                    SignalProcesses();
                }
            });
            Receive<ProcessesStopped>(_ =>
            {
                _stopped = true;
                CloseSockets();
                _replyTo!.Tell(ProcessesStopped.Instance);
                Context.Stop(Self);
            });
            Receive<StopProcesses>(_ => { }); // already stopping; the first asker gets the reply
        });

        if (_children.Count == 0)
        {
            SignalProcesses();
        }
    }

    /// <summary>Runs once no slot actor is left, so no process can appear meanwhile.</summary>
    private void SignalProcesses()
    {
        var self = Self;
        var running = _slots.Where(s => s.Process is { HasExited: false }).ToArray();
        _ = TerminateAsync(running).ContinueWith(_ => self.Tell(ProcessesStopped.Instance),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task TerminateAsync(ProcessSlot[] running)
    {
        var spawn = _setup.Spawn;
        var exits = running.Select(async slot =>
        {
            var process = slot.Process!;
            var code = await process.Exited.ConfigureAwait(false);
            _setup.OnChange(slot.Index, false);
            ProcessSupervisor.LogStopped(_setup.Log, _setup.Pool.Name, slot.Index, process.Pid, code);
        }).ToArray();
        foreach (var slot in running)
        {
            slot.Process!.Signal(SIGTERM);
        }

        var all = Task.WhenAll(exits);
        if (await Task.WhenAny(all, Task.Delay(spawn.StopTimeout)).ConfigureAwait(false) != all)
        {
            foreach (var slot in running)
            {
                if (slot.Process is { HasExited: false } process)
                {
                    ProcessSupervisor.LogKilling(_setup.Log, _setup.Pool.Name, process.Pid, spawn.StopTimeout.TotalSeconds);
                    process.Signal(SIGKILL);
                }
            }

            await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        }
    }

    private void CloseSockets()
    {
        foreach (var slot in _slots)
        {
            slot.ListenSocket?.Dispose();
            if (slot.Address.StartsWith("unix:", StringComparison.Ordinal))
            {
                File.Delete(slot.Address["unix:".Length..]);
            }
        }
    }
}
