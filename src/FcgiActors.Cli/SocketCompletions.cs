using System.Net;
using System.Net.Sockets;

namespace FcgiActors.Cli;

/// <summary>
/// `fcgi proxy` runs socket completions on the runtime's socket event threads themselves
/// (.NET's DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1, what Kestrel's
/// UnsafePreferInlineScheduling asks for on Linux), with one event thread per four cores,
/// instead of queueing every completion to the thread pool. A proxied request is four socket
/// operations (front in and out, backend out and in); each queued completion was a thread
/// wake-up, which on a virtual machine is most of the proxy's cost. Measured on 2 cores,
/// nginx → proxy → 2 C echoes, wrk -c64, four alternating pairs: +2 to +10 % req/s, −3 to
/// −10 % CPU per request, 2.4 instead of 2.9 context switches per request (docs/benchmarks.md).
/// `fcgi echo` showed no difference either way, so it keeps .NET's default.
/// Safe here because nothing of ours blocks in a socket continuation: read loops parse records
/// and hand them to actors and pipes; handlers and the relay run on the thread pool
/// (ServerContext's handler scheduler). Variables set by the operator win (=0 turns it off).
/// The runtime reads them once, when its socket engine starts: they are set only until then,
/// so that the backends the proxy spawns do not inherit them.
/// </summary>
internal static class SocketCompletions
{
    internal const string InlineVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
    internal const string ThreadsVariable = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";

    public static void PreferInline()
    {
        if (!OperatingSystem.IsLinux()
            || Environment.GetEnvironmentVariable(InlineVariable) is not null
            || Environment.GetEnvironmentVariable(ThreadsVariable) is not null)
        {
            return;
        }

        Environment.SetEnvironmentVariable(InlineVariable, "1");
        Environment.SetEnvironmentVariable(ThreadsVariable, Math.Max(1, Environment.ProcessorCount / 4).ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            // The first pending socket operation starts the engine, which reads the variables.
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            probe.Listen(1);
            // Disposing the probe fails the accept; its exception is observed, not thrown.
            _ = probe.AcceptAsync().ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        catch (SocketException)
        {
            // No loopback to probe with: the engine starts with the first real socket, variables still set.
            return;
        }

        Environment.SetEnvironmentVariable(InlineVariable, null);
        Environment.SetEnvironmentVariable(ThreadsVariable, null);
    }
}
