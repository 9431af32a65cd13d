namespace FcgiActors.Actors;

/// <summary>What a supervisor does with a child that threw.</summary>
public enum Directive
{
    /// <summary>Keep the actor and its state; the failed message is dropped.</summary>
    Resume,

    /// <summary>Replace the actor instance (fresh state), possibly after a backoff delay.</summary>
    Restart,

    /// <summary>Stop the actor.</summary>
    Stop,

    /// <summary>Fail the supervisor itself with the same exception, for its own parent to decide.</summary>
    Escalate,
}
