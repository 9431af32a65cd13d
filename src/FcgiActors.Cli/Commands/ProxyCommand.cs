using System.CommandLine;

namespace FcgiActors.Cli.Commands;

/// <summary>`fcgi proxy`. Owned by the proxy work; Program.cs only adds the command it returns.</summary>
internal static class ProxyCommand
{
    public static Command Create()
    {
        var command = new Command("proxy", "Not available in this build yet.");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("fcgi proxy: not available in this build yet");
            return ExitCodes.Usage;
        });
        return command;
    }
}
