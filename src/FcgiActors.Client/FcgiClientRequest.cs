using System.IO.Pipelines;
using System.Text;
using FcgiActors.Protocol;

namespace FcgiActors.Client;

/// <summary>
/// One request to send to a backend: its role, its PARAMS as byte pairs (relayed exactly),
/// and its streamed STDIN (and DATA for the filter role). The readers are consumed and
/// completed by the client.
/// </summary>
public sealed class FcgiClientRequest
{
    /// <summary>An empty responder request: add <see cref="Params"/> and <see cref="Stdin"/> with init.</summary>
    public FcgiClientRequest()
    {
    }

    /// <summary>A request whose PARAMS are the given string pairs, encoded as UTF-8.</summary>
    public FcgiClientRequest(IEnumerable<KeyValuePair<string, string>> parameters, PipeReader? stdin = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Params = parameters
            .Select(p => new KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>(
                Encoding.UTF8.GetBytes(p.Key), Encoding.UTF8.GetBytes(p.Value)))
            .ToArray();
        Stdin = stdin;
    }

    /// <summary>FCGI_RESPONDER unless set.</summary>
    public Role Role { get; init; } = Role.Responder;

    /// <summary>The PARAMS name-value pairs, in order, as bytes.</summary>
    public IReadOnlyList<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>> Params { get; init; } = [];

    /// <summary>The request body, streamed as STDIN; null sends an empty STDIN stream.</summary>
    public PipeReader? Stdin { get; init; }

    /// <summary>The FILTER role's DATA stream; ignored for other roles.</summary>
    public PipeReader? Data { get; init; }
}
