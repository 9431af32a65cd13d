namespace FcgiActors.Actors;

/// <summary>Thrown by <see cref="ActorRefExtensions.Ask{T}"/> when no reply arrived in time.</summary>
public sealed class AskTimeoutException : TimeoutException
{
    /// <summary>Creates the exception with a default message.</summary>
    public AskTimeoutException() : base("The ask timed out.") { }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public AskTimeoutException(string message) : base(message) { }

    /// <summary>Creates the exception with <paramref name="message"/> and an inner exception.</summary>
    public AskTimeoutException(string message, Exception innerException) : base(message, innerException) { }
}
