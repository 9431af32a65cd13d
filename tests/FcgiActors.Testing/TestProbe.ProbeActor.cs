using System.Threading.Channels;
using FcgiActors.Actors;

namespace FcgiActors.Testing;

public sealed partial class TestProbe
{
    /// <summary>The actor behind a probe: queues everything it receives for the test to read.</summary>
    private sealed class ProbeActor(ChannelWriter<(object Message, IActorRef Sender)> inbox) : ActorBase
    {
        internal sealed record WatchCommand(IActorRef Subject, bool Watch);

        protected override bool Receive(object message)
        {
            if (message is WatchCommand command)
            {
                _ = command.Watch ? Context.Watch(command.Subject) : Context.Unwatch(command.Subject);
            }
            else
            {
                inbox.TryWrite((message, Sender));
            }

            return true;
        }
    }
}
