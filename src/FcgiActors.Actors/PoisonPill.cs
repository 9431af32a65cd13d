namespace FcgiActors.Actors;

/// <summary>An ordinary message that stops the actor when it is processed, after the messages before it.</summary>
public sealed class PoisonPill
{
    private PoisonPill() { }

    /// <summary>The single instance.</summary>
    public static PoisonPill Instance { get; } = new();

    /// <inheritdoc />
    public override string ToString() => "PoisonPill";
}
