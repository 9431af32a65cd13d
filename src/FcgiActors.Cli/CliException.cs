namespace FcgiActors.Cli;

/// <summary>A failure the CLI reports as one line and a given exit code.</summary>
internal sealed class CliException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
