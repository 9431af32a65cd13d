using System.IO.Pipelines;
using FcgiActors.Protocol;

namespace FcgiActors.Testing;

/// <summary>
/// One side of an in-memory connection: reads what the other side writes. Used to drive a
/// connection actor, client or proxy without sockets.
/// </summary>
public sealed class DuplexPipe : IDuplexPipe
{
    public DuplexPipe(PipeReader input, PipeWriter output)
    {
        Input = input;
        Output = output;
    }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    /// <summary>
    /// Pipe options whose pause threshold holds two whole records
    /// (<see cref="FcgiConstants.MinimumPipePauseThreshold"/>): less deadlocks a reader that
    /// waits for a whole 64 KiB record.
    /// </summary>
    public static PipeOptions DefaultOptions { get; } = new(
        pauseWriterThreshold: FcgiConstants.MinimumPipePauseThreshold,
        resumeWriterThreshold: FcgiConstants.MinimumPipePauseThreshold / 2,
        useSynchronizationContext: false);

    /// <summary>
    /// Two connected ends: what <c>Client.Output</c> gets is read from <c>Server.Input</c> and
    /// the other way round. Completing an output completes the peer's input.
    /// </summary>
    public static (IDuplexPipe Client, IDuplexPipe Server) CreatePair(PipeOptions? options = null)
    {
        options ??= DefaultOptions;
        var clientToServer = new Pipe(options);
        var serverToClient = new Pipe(options);
        return (new DuplexPipe(serverToClient.Reader, clientToServer.Writer),
                new DuplexPipe(clientToServer.Reader, serverToClient.Writer));
    }
}
