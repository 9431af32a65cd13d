namespace FcgiActors.Responder;

/// <summary>
/// Serves one FastCGI request. The request ends (END_REQUEST is sent, after the output) when the
/// returned task completes; an exception ends it with appStatus 1 unless the handler set another.
/// </summary>
public delegate Task FcgiRequestHandler(FcgiRequestContext context);
