using Microsoft.Extensions.Logging;

namespace FcgiActors.Actors;

/// <summary>What an actor sees of the kernel while it handles a message. Use only from its own handlers.</summary>
public interface IActorContext
{
    /// <summary>This actor.</summary>
    IActorRef Self { get; }

    /// <summary>The sender of the current message, or <see cref="ActorRefs.Nobody"/>.</summary>
    IActorRef Sender { get; }

    /// <summary>The supervising parent.</summary>
    IActorRef Parent { get; }

    /// <summary>The system this actor lives in.</summary>
    ActorSystem System { get; }

    /// <summary>Live children (stopping ones excluded).</summary>
    IReadOnlyCollection<IActorRef> Children { get; }

    /// <summary>Spawns a child; names are unique among live siblings; null picks a unique "$n" name.</summary>
    IActorRef ActorOf(Props props, string? name = null);

    /// <summary>Delivers <see cref="Terminated"/> for <paramref name="subject"/> exactly once, also if it is already dead.</summary>
    IActorRef Watch(IActorRef subject);

    /// <summary>Stops watching; no <see cref="Terminated"/> for <paramref name="subject"/> is delivered after this.</summary>
    IActorRef Unwatch(IActorRef subject);

    /// <summary>Stops a child or Self, asynchronously: children first, then PostStop.</summary>
    void Stop(IActorRef actor);

    /// <summary>This actor's timers.</summary>
    ITimerScheduler Timers { get; }

    /// <summary>A logger whose category is the actor type.</summary>
    ILogger Log { get; }
}
