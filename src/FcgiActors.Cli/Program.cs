using System.CommandLine;
using FcgiActors.Cli.Commands;

namespace FcgiActors.Cli;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // The bridge keeps cgi-fcgi's argument syntax and a lean start-up: no parser, no host.
        if (args.Length > 0 && args[0] == "bridge")
        {
            return await BridgeCommand.RunAsync(args[1..]);
        }

        var root = new RootCommand("FcgiActors: FastCGI multiplexing proxy, cgi-fcgi compatible bridge and responder.")
        {
            ProxyCommand.Create(),
            EchoCommand.Create(),
        };
        return await root.Parse(args).InvokeAsync();
    }
}
