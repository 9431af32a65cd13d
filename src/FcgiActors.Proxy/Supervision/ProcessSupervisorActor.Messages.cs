using Microsoft.Extensions.Logging;

namespace FcgiActors.Proxy.Supervision;

internal sealed partial class ProcessSupervisorActor
{
    /// <summary>What every slot actor of one pool shares (immutable; the token is the supervisor's).</summary>
    internal sealed record Setup(PoolSettings Pool, SpawnSettings Spawn, ILogger Log, Action<int, bool> OnChange, CancellationToken Stopping)
    {
        public override string ToString() => $"Setup({Pool.Name})";
    }

    /// <summary>Graceful stop: SIGTERM every process, SIGKILL after the stop timeout; replies <see cref="ProcessesStopped"/>.</summary>
    public sealed record StopProcesses
    {
        public static readonly StopProcesses Instance = new();

        public override string ToString() => nameof(StopProcesses);
    }

    /// <summary>Every process has exited and the listen sockets are closed.</summary>
    public sealed record ProcessesStopped
    {
        public static readonly ProcessesStopped Instance = new();

        public override string ToString() => nameof(ProcessesStopped);
    }
}
