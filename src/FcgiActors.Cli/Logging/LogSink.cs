namespace FcgiActors.Cli.Logging;

/// <summary>fcgi.logging.sink.</summary>
internal enum LogSink
{
    Console,
    File,
}
