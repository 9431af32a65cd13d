using FcgiActors.Cli.Commands;

namespace FcgiActors.Cli;

internal static class Program
{
    // `fcgi bridge ...` is dispatched here, synchronously, before Cli (System.CommandLine,
    // configuration, Hocon, Serilog) is even loaded: it keeps cgi-fcgi's argument syntax and a
    // start-up measured in milliseconds (docs/bridge.md). Everything else goes through Cli.
    public static Task<int> Main(string[] args) =>
        args.Length > 0 && args[0] == "bridge"
            ? Task.FromResult(BridgeCommand.Run(args[1..]))
            : RunCli(args);

    // Its own method, so that compiling Main resolves nothing of the Cli path.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static Task<int> RunCli(string[] args) => Cli.RunAsync(args, Console.Out, Console.Error);
}
