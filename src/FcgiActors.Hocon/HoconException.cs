namespace FcgiActors.Hocon;

/// <summary>
/// A HOCON text is malformed or cannot be resolved. The message starts with
/// "file:line:column: " so editors and terminals can jump to it.
/// </summary>
public sealed class HoconException : Exception
{
    /// <summary>Creates the exception for a position (line and column are 1-based).</summary>
    public HoconException(string file, int line, int column, string reason, Exception? inner = null)
        : base($"{file}:{line}:{column}: {reason}", inner)
    {
        File = file;
        Line = line;
        Column = column;
        Reason = reason;
    }

    /// <summary>The file (or source name) the error is in.</summary>
    public string File { get; }

    /// <summary>1-based line.</summary>
    public int Line { get; }

    /// <summary>1-based column (in UTF-16 code units).</summary>
    public int Column { get; }

    /// <summary>The message without the position.</summary>
    public string Reason { get; }
}
