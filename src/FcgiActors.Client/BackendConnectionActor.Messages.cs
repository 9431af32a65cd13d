using System.IO.Pipelines;
using FcgiActors.Actors;
using FcgiActors.Protocol;

namespace FcgiActors.Client;

internal sealed partial class BackendConnectionActor
{
    // Commands, from the pool actor (and from a request, for AbortRequest).

    /// <summary>Start this request on the connection, or hand it back with <see cref="StartRejected"/>.</summary>
    public sealed record StartRequest(PendingRequest Request)
    {
        public override string ToString() => nameof(StartRequest);
    }

    /// <summary>§5.4: abort a started request; it still ends with its END_REQUEST or the abort timeout.</summary>
    public sealed record AbortRequest(ClientRequest Request)
    {
        public override string ToString() => $"AbortRequest({Request.Id})";
    }

    /// <summary>Close the connection (idle expiry, shutdown); requests still on it fail.</summary>
    public sealed record CloseConnection
    {
        public static readonly CloseConnection Instance = new();

        public override string ToString() => nameof(CloseConnection);
    }

    // Events told to the pool actor.

    /// <summary>The connection is up and takes up to <paramref name="Limit"/> requests at once.</summary>
    public sealed record ConnectionOpened(IActorRef Connection, int Limit)
    {
        public override string ToString() => $"ConnectionOpened(limit={Limit})";
    }

    /// <summary>The connect failed; the actor fails next, and its supervisor restarts it after a backoff.</summary>
    public sealed record ConnectFailed(IActorRef Connection, Exception Error)
    {
        public override string ToString() => $"ConnectFailed({Error.GetType().Name})";
    }

    /// <summary>GET_VALUES raised the limit, or FCGI_CANT_MPX_CONN lowered it to 1.</summary>
    public sealed record LimitChanged(IActorRef Connection, int Limit)
    {
        public override string ToString() => $"LimitChanged({Limit})";
    }

    /// <summary>
    /// A request's slot is free; <paramref name="Reusable"/> false: the connection takes no more.
    /// <paramref name="Next"/>: the connection took that request from the pool's wait queue for the slot.
    /// </summary>
    public sealed record RequestFinished(IActorRef Connection, PendingRequest Request, bool Reusable, PendingRequest? Next = null)
    {
        public override string ToString() => $"RequestFinished(reusable={Reusable})";
    }

    /// <summary>The connection could not take the request (closing, or at its limit); nothing was sent.</summary>
    public sealed record StartRejected(IActorRef Connection, PendingRequest Request)
    {
        public override string ToString() => nameof(StartRejected);
    }

    /// <summary>The connection died before any byte of the request was written: it may go elsewhere.</summary>
    public sealed record StartWithdrawn(IActorRef Connection, PendingRequest Request, Exception Reason)
    {
        public override string ToString() => $"StartWithdrawn({Reason.GetType().Name})";
    }

    // Internal events: from the connect task, the socket loops and timers.

    internal sealed record TransportConnected(IDuplexPipe Transport, IDisposable? Owner)
    {
        public override string ToString() => nameof(TransportConnected);
    }

    internal sealed record ConnectAttemptFailed(Exception Error)
    {
        public override string ToString() => $"ConnectAttemptFailed({Error.GetType().Name})";
    }

    /// <summary>The read loop or the writer hit a connection error and closed the transport.</summary>
    internal sealed record TransportFailed(Exception Reason)
    {
        public override string ToString() => $"TransportFailed({Reason.GetType().Name})";
    }

    /// <summary>The read loop saw the first END_REQUEST of a request (its streams are complete).</summary>
    internal sealed record RequestEnded(ClientRequest Request)
    {
        public override string ToString() => $"RequestEnded({Request.Id})";
    }

    /// <summary>A GET_VALUES_RESULT (or an UNKNOWN_TYPE answer to the query, as "no multiplexing").</summary>
    internal sealed record ManagementValuesReceived(ManagementValues Values)
    {
        public override string ToString() => $"ManagementValuesReceived(mpxs={Values.MpxsConns})";
    }

    internal sealed record ProbeTimedOut
    {
        public static readonly ProbeTimedOut Instance = new();

        public override string ToString() => nameof(ProbeTimedOut);
    }

    internal sealed record AbortTimedOut(ClientRequest Request)
    {
        public override string ToString() => $"AbortTimedOut({Request.Id})";
    }
}
