using FcgiActors.Client.Bridge;

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
        await using var stdin = Console.OpenStandardInput();
        await using var stdout = Console.OpenStandardOutput();
        await using var stderr = Console.OpenStandardError();
        var runner = new BridgeRunner();
        return await runner.RunAsync(args, ProcessEnvironment.Read(), stdin, stdout, stderr);
    }
}
