namespace FcgiActors.Actors;

/// <summary>Replies that carry an outcome; an <see cref="Failure"/> reply makes an Ask throw its cause.</summary>
public static class Status
{
    /// <summary>A successful outcome.</summary>
    public sealed record Success(object? Status);

    /// <summary>A failed outcome; <see cref="ActorRefExtensions.Ask{T}"/> rethrows <see cref="Cause"/>.</summary>
    public sealed record Failure(Exception Cause);
}
