using FcgiActors.Actors;

namespace FcgiActors.Actors.Tests;

/// <summary>Small actors the specs drive; each reports what happens to it to a probe.</summary>
internal static class TestActors
{
    public sealed record Spawn(Props Props, string? Name = null);

    public sealed record Fail(string Reason);

    public sealed record Lifecycle(string Event, string Path);

    /// <summary>Sends every message back to its sender.</summary>
    public sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(message => Sender.Tell(message, Self));
    }

    /// <summary>Forwards every message (Terminated included) to <c>target</c>, keeping the sender.</summary>
    public sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef target) => ReceiveAny(message => target.Tell(message, Sender));
    }

    /// <summary>
    /// A counter with state: "inc" adds one, "get" replies the count, <see cref="Fail"/> throws,
    /// <see cref="Spawn"/> creates a child and replies its reference. Reports lifecycle hooks.
    /// </summary>
    public sealed class Worker : ReceiveActor
    {
        private readonly IActorRef _probe;
        private readonly SupervisorStrategy? _strategy;
        private int _count;

        public Worker(IActorRef probe, SupervisorStrategy? strategy = null)
        {
            _probe = probe;
            _strategy = strategy;
            Receive<string>(_ => _count++, s => s == "inc");
            Receive<string>(_ => Sender.Tell(_count), s => s == "get");
            Receive<Fail>(fail => throw new InvalidOperationException(fail.Reason));
            Receive<Spawn>(spawn => Sender.Tell(Context.ActorOf(spawn.Props, spawn.Name)));
            Receive<Terminated>(terminated => _probe.Tell(terminated));
            ReceiveAny(message => _probe.Tell(message, Sender));
        }

        protected override void PreStart() => _probe.Tell(new Lifecycle("PreStart", Self.Path));

        protected override void PostStop() => _probe.Tell(new Lifecycle("PostStop", Self.Path));

        protected override void PreRestart(Exception reason, object? message)
        {
            _probe.Tell(new Lifecycle("PreRestart:" + reason.Message, Self.Path));
            base.PreRestart(reason, message);
        }

        protected override void PostRestart(Exception reason)
        {
            _probe.Tell(new Lifecycle("PostRestart:" + reason.Message, Self.Path));
            base.PostRestart(reason);
        }

        protected override SupervisorStrategy SupervisorStrategy() => _strategy ?? base.SupervisorStrategy();
    }

    public static Props WorkerProps(IActorRef probe, SupervisorStrategy? strategy = null) =>
        Props.Create(() => new Worker(probe, strategy));
}
