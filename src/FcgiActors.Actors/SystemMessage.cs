namespace FcgiActors.Actors;

internal enum SystemMessageKind
{
    Create,
    Terminate,
    Failed,                 // Target = failed child cell, Cause, Message
    Resume,
    Recreate,               // Cause, Message
    ChildTerminated,        // Target = child cell
    DeathWatchNotification, // Target = the dead InternalActorRef
}

/// <summary>Lifecycle traffic, served before any user message.</summary>
internal readonly record struct SystemMessage(SystemMessageKind Kind, object? Target = null, Exception? Cause = null, object? Message = null);
