using System.CommandLine;

namespace FcgiActors.Cli.Commands;

/// <summary>`fcgi echo`. Owned by the responder work; Program.cs only adds the command it returns.</summary>
internal static class EchoCommand
{
    public static Command Create()
    {
        var command = new Command("echo", "Not available in this build yet.");
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("fcgi echo: not available in this build yet");
            return ExitCodes.Usage;
        });
        return command;
    }
}
