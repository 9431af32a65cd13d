namespace FcgiActors.Actors;

/// <summary>The root, /user and /system guardians: no behaviour, only a supervisor strategy.</summary>
internal sealed class GuardianActor(SupervisorStrategy strategy) : ActorBase
{
    protected override bool Receive(object message) => false;

    protected override SupervisorStrategy SupervisorStrategy() => strategy;

    // A restarted guardian must not stop the whole tree below it.
    protected override void PreRestart(Exception reason, object? message) { }
}
