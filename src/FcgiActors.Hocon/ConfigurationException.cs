namespace FcgiActors.Hocon;

/// <summary>
/// A configuration value is missing, of the wrong type or out of range. <see cref="Path"/> is
/// the HOCON path ("fcgi.proxy.queue-timeout") and the message starts with it.
/// </summary>
public sealed class ConfigurationException : Exception
{
    /// <summary>Creates the exception; the message becomes "path: reason".</summary>
    public ConfigurationException(string path, string reason, Exception? inner = null)
        : base($"{path}: {reason}", inner)
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The dotted HOCON path of the offending key.</summary>
    public string Path { get; }

    /// <summary>The message without the path.</summary>
    public string Reason { get; }
}
