namespace FcgiActors.Hocon;

/// <summary>Options of <see cref="HoconReader"/>.</summary>
public sealed class HoconReaderOptions
{
    /// <summary>The default options: the process environment answers unresolved substitutions.</summary>
    public static HoconReaderOptions Default { get; } = new();

    /// <summary>
    /// Looks up substitutions not found in the configuration (HOCON.md: environment variables);
    /// null means not set.
    /// </summary>
    public Func<string, string?> EnvironmentVariables { get; init; } = Environment.GetEnvironmentVariable;
}
