namespace FcgiActors.Proxy.Supervision;

/// <summary>
/// A supervised process exited or could not start: thrown by its slot actor so the supervisor
/// restarts the slot (a new process) after an exponential backoff.
/// </summary>
internal sealed class ProcessExitedException(string message, Exception? inner = null) : Exception(message, inner);
