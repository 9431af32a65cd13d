using System.Net.Sockets;
using FcgiActors.Client.Processes;

namespace FcgiActors.Proxy.Supervision;

/// <summary>
/// One supervised backend place: a fixed address, the listen socket in fd:0 mode, and the
/// current process. Written only by the slot's <see cref="ProcessSlotActor"/> (and its
/// supervisor once the slot actors are gone); read from any thread for status.
/// </summary>
internal sealed class ProcessSlot(int index, string address)
{
    private FastCgiProcess? _process;
    private int _starts;

    public int Index { get; } = index;

    public string Address { get; } = address;

    public Socket? ListenSocket { get; set; }

    public FastCgiProcess? Process
    {
        get => Volatile.Read(ref _process);
        set => Volatile.Write(ref _process, value);
    }

    public int Starts => Volatile.Read(ref _starts);

    /// <summary>Restarts in a row without a run of RestartResetAfter (slot actor only; sizes the logged backoff).</summary>
    public int Crashes { get; set; }

    public void CountStart() => Interlocked.Increment(ref _starts);
}
