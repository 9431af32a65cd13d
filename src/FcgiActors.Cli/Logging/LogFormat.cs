namespace FcgiActors.Cli.Logging;

/// <summary>fcgi.logging.format.</summary>
internal enum LogFormat
{
    Plain,
    Json,
}
