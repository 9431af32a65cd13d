using System.IO.Pipelines;

namespace FcgiActors.Hosting.AspNetCore;

/// <summary>
/// The parts of one FastCGI request the ASP.NET Core server needs. The responder's
/// <c>FcgiRequestContext</c> is adapted to it (<see cref="ResponderExchange"/>); tests drive the
/// HTTP mapping through in-memory pipes with the same interface.
/// </summary>
internal interface IFastCgiExchange
{
    string ConnectionId { get; }

    ushort RequestId { get; }

    /// <summary>The PARAMS pairs in the order received.</summary>
    IEnumerable<(string Name, string Value)> Params { get; }

    /// <summary>One CGI variable, or null.</summary>
    string? GetParam(string name);

    /// <summary>STDIN.</summary>
    PipeReader Body { get; }

    /// <summary>STDOUT.</summary>
    PipeWriter Output { get; }

    /// <summary>ABORT_REQUEST, connection loss, or shutdown past the drain timeout.</summary>
    CancellationToken Aborted { get; }

    /// <summary>END_REQUEST appStatus.</summary>
    int AppStatus { get; set; }
}
