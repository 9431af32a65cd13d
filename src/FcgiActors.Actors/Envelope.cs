namespace FcgiActors.Actors;

/// <summary>A user message in a mailbox: a struct, so Tell allocates nothing beyond the channel's storage.</summary>
internal readonly record struct Envelope(object Message, IActorRef? Sender);
