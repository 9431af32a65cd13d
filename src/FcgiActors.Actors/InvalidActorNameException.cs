namespace FcgiActors.Actors;

/// <summary>Thrown by <c>ActorOf</c> when a name is empty, contains '/', or is taken by a live sibling.</summary>
public sealed class InvalidActorNameException : ArgumentException
{
    /// <summary>Creates the exception with a default message.</summary>
    public InvalidActorNameException() : base("Invalid actor name.") { }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public InvalidActorNameException(string message) : base(message) { }

    /// <summary>Creates the exception with <paramref name="message"/> and an inner exception.</summary>
    public InvalidActorNameException(string message, Exception innerException) : base(message, innerException) { }
}
