using System.Globalization;
using FcgiActors.Actors;
using FcgiActors.Client.Processes;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Proxy.Supervision;

/// <summary>
/// One slot's process, as an actor: each incarnation starts one process in PreStart and fails
/// when it exits (or cannot start), so its parent <see cref="ProcessSupervisorActor"/> restarts
/// it with exponential backoff — the restart is the new process. Once the supervisor is
/// stopping, an exit is final and the actor just stops.
/// </summary>
internal sealed partial class ProcessSlotActor : ReceiveActor
{
    private readonly ProcessSupervisorActor.Setup _setup;
    private readonly ProcessSlot _slot;
    private long _startedAtTicks;
    private int _pid;

    public ProcessSlotActor(ProcessSupervisorActor.Setup setup, ProcessSlot slot)
    {
        _setup = setup;
        _slot = slot;
        Receive<ProcessExited>(OnExited, exited => exited.Pid == _pid);
    }

    protected override void PreStart()
    {
        var spawn = _setup.Spawn;
        FastCgiProcess process;
        try
        {
            process = Launch();
        }
        catch (Exception ex)
        {
            ProcessSupervisor.LogStartFailed(_setup.Log, ex, _setup.Pool.Name, _slot.Index, spawn.Command);
            _slot.Crashes++;
            throw new ProcessExitedException($"Pool {_setup.Pool.Name} slot {_slot.Index}: cannot start {spawn.Command}.", ex);
        }

        _pid = process.Pid;
        _startedAtTicks = Environment.TickCount64;
        _slot.Process = process;
        _slot.CountStart();
        ProcessSupervisor.LogStarted(_setup.Log, _setup.Pool.Name, _slot.Index, process.Pid, _slot.Address);
        _setup.OnChange(_slot.Index, true);
        var self = Self;
        _ = ReportExitAsync(self, process);
    }

    private static async Task ReportExitAsync(IActorRef self, FastCgiProcess process)
    {
        int exitCode;
        try
        {
            exitCode = await process.Exited.ConfigureAwait(false);
        }
        catch (Exception)
        {
            return; // no exit status to report (the watch was torn down with the supervisor)
        }

        self.Tell(new ProcessExited(process.Pid, exitCode));
    }

    private void OnExited(ProcessExited exited)
    {
        _setup.OnChange(_slot.Index, false);
        if (_setup.Stopping.IsCancellationRequested)
        {
            ProcessSupervisor.LogStopped(_setup.Log, _setup.Pool.Name, _slot.Index, exited.Pid, exited.ExitCode);
            Context.Stop(Self);
            return;
        }

        // Mirrors the supervisor's BackoffOptions (ResetAfter = restart-reset-after) for the log.
        var ranFor = TimeSpan.FromMilliseconds(Environment.TickCount64 - _startedAtTicks);
        _slot.Crashes = ranFor >= _setup.Spawn.RestartResetAfter ? 1 : _slot.Crashes + 1;
        var delay = ProcessSupervisor.Backoff(_setup.Spawn, _slot.Crashes);
        ProcessSupervisor.LogExited(_setup.Log, _setup.Pool.Name, _slot.Index, exited.Pid, exited.ExitCode, delay.TotalMilliseconds);
        FcgiInstruments.BackendRestarted(FcgiComponent.Proxy);
        throw new ProcessExitedException($"Pool {_setup.Pool.Name} slot {_slot.Index}: pid {exited.Pid} exited with {exited.ExitCode}.");
    }

    private FastCgiProcess Launch()
    {
        var spawn = _setup.Spawn;
        var (file, args) = ProcessSupervisor.ResolveCommand(spawn.Command);
        var address = _slot.Address;
        args.AddRange(spawn.Args.Select(a => a
            .Replace("{address}", address, StringComparison.Ordinal)
            .Replace("{index}", _slot.Index.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)));

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = (string?)entry.Value ?? "";
        }

        foreach (var (key, value) in spawn.Environment)
        {
            environment[key] = value;
        }

        environment["FCGI_LISTEN_ADDRESS"] = spawn.Listen == "fd:0" ? "fd:0" : address;
        if (_slot.ListenSocket is null && address.StartsWith("unix:", StringComparison.Ordinal))
        {
            File.Delete(address["unix:".Length..]);
        }

        // Every signal at its default: a supervised backend must stop on SIGTERM whatever we ignored.
        return FastCgiProcess.Start(file, args, new FastCgiProcessOptions
        {
            ListenSocket = _slot.ListenSocket?.SafeHandle,
            Environment = environment,
            SearchPath = true,
            DefaultAllSignals = true,
        });
    }
}
