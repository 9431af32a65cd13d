namespace FcgiActors.Cli.Commands;

/// <summary>
/// `fcgi bridge ...` with cgi-fcgi's own argument syntax. Program.cs dispatches here before
/// System.CommandLine runs, so the bridge starts lean. Owned by the client/bridge work.
/// </summary>
internal static class BridgeCommand
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine("fcgi bridge: not available in this build yet");
        return Task.FromResult(ExitCodes.Usage);
    }
}
