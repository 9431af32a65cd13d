using FcgiActors.Client.Bridge;
using Microsoft.Win32.SafeHandles;

namespace FcgiActors.Cli.Commands;

/// <summary>
/// `fcgi bridge ...` with cgi-fcgi's own argument syntax. Program.Main dispatches here before
/// anything else is touched, so the bridge starts lean: no parser, no host, no configuration,
/// no logging, no actor system — one connection and one request, synchronously (docs/bridge.md).
/// </summary>
internal static class BridgeCommand
{
    public static int Run(string[] args)
    {
        // Unbuffered streams straight on fds 0, 1 and 2: every write is one write(2). Nothing
        // is disposed: the descriptors are not ours to close, and the process ends right after.
        var stdin = Open(0, FileAccess.Read);
        var stdout = Open(1, FileAccess.Write);
        var stderr = Open(2, FileAccess.Write);
        return new BridgeRunner().Run(args, ProcessEnvironment.Read(), stdin, stdout, stderr);
    }

    private static Stream Open(int fd, FileAccess access)
    {
        try
        {
            return new FileStream(new SafeFileHandle(fd, ownsHandle: false), access, bufferSize: 0);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            // A closed or odd descriptor: behave as /dev/null would.
            return access == FileAccess.Read ? Console.OpenStandardInput() : Console.OpenStandardOutput();
        }
    }
}
