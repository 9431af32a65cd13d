namespace FcgiActors.Hocon;

/// <summary>Where a token starts: source name, 1-based line and column.</summary>
internal readonly record struct HoconPosition(string File, int Line, int Column)
{
    public HoconException Error(string reason, Exception? inner = null) => new(File, Line, Column, reason, inner);

    public override string ToString() => $"{File}:{Line}:{Column}";
}
