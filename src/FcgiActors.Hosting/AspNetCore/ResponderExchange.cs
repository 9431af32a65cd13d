using System.IO.Pipelines;
using FcgiActors.Responder;

namespace FcgiActors.Hosting.AspNetCore;

/// <summary>The responder's request context seen as an <see cref="IFastCgiExchange"/>.</summary>
internal sealed class ResponderExchange(FcgiRequestContext context) : IFastCgiExchange
{
    public string ConnectionId => context.ConnectionId;

    public ushort RequestId => context.RequestId;

    public IEnumerable<(string Name, string Value)> Params => context.Params;

    public string? GetParam(string name) => context.Params.Get(name);

    public PipeReader Body => context.Body;

    public PipeWriter Output => context.Output;

    public CancellationToken Aborted => context.Aborted;

    public int AppStatus
    {
        get => context.AppStatus;
        set => context.AppStatus = value;
    }
}
