namespace FcgiActors.Hocon;

/// <summary>The JSON type of a resolved HOCON value.</summary>
public enum HoconValueKind
{
    /// <summary>An object (fields in the order first defined).</summary>
    Object,
    /// <summary>An array.</summary>
    Array,
    /// <summary>A string, quoted or unquoted; durations and sizes are strings as written.</summary>
    String,
    /// <summary>A JSON number, kept as written.</summary>
    Number,
    /// <summary>true or false.</summary>
    Boolean,
    /// <summary>null.</summary>
    Null,
}
