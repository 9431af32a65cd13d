namespace FcgiActors.Cli;

internal static class Program
{
    // Cli.RunAsync dispatches `fcgi bridge ...` before System.CommandLine runs (cgi-fcgi syntax, lean start-up).
    public static Task<int> Main(string[] args) => Cli.RunAsync(args, Console.Out, Console.Error);
}
