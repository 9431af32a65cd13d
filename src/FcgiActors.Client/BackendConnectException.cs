namespace FcgiActors.Client;

/// <summary>
/// A connection actor could not connect. Thrown inside the actor so its supervisor (the pool
/// actor) restarts it with exponential backoff: the restarted actor is the next attempt.
/// </summary>
internal sealed class BackendConnectException(string message, Exception inner) : Exception(message, inner);
