using FcgiActors.Client.Bridge;
using Microsoft.Win32.SafeHandles;

namespace FcgiActors.Cli.Commands;

/// <summary>
/// `fcgi bridge ...` with cgi-fcgi's own argument syntax. Program.cs dispatches here before
/// System.CommandLine runs, so the bridge starts lean: no parser, no host, no configuration
/// files, no actor system — one connection and one request (see docs/bridge.md).
/// </summary>
internal static class BridgeCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        // Unbuffered streams straight on fds 0, 1 and 2: every write is one write(2).
        await using var stdin = Open(0, FileAccess.Read);
        await using var stdout = Open(1, FileAccess.Write);
        await using var stderr = Open(2, FileAccess.Write);
        var runner = new BridgeRunner();
        return await runner.RunAsync(args, ProcessEnvironment.Read(), stdin, stdout, stderr);
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
