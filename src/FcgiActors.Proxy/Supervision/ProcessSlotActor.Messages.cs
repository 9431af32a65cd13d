namespace FcgiActors.Proxy.Supervision;

internal sealed partial class ProcessSlotActor
{
    /// <summary>The slot's process exited (from its waitpid watch); <paramref name="Pid"/> tells incarnations apart.</summary>
    internal sealed record ProcessExited(int Pid, int ExitCode)
    {
        public override string ToString() => $"ProcessExited({Pid}, {ExitCode})";
    }
}
