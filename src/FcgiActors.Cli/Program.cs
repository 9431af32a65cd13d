namespace FcgiActors.Cli;

internal static class Program
{
    // Replaced by the System.CommandLine entry point (issue: HOCON, logging and the fcgi CLI).
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("fcgi: no commands yet");
        return 64;
    }
}
