using System.IO.Pipelines;

namespace FcgiActors.Client;

/// <summary>
/// Opens one transport to a backend: a socket by default; a pre-connected socket for the
/// bridge; an in-memory pipe in tests. The owner, when given, closes the transport.
/// </summary>
internal delegate Task<(IDuplexPipe Transport, IDisposable? Owner)> BackendConnector(CancellationToken cancellationToken);
