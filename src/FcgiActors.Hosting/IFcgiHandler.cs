using FcgiActors.Responder;

namespace FcgiActors.Hosting;

/// <summary>
/// A FastCGI request handler resolved from DI: one instance per request, from a DI scope that
/// lives as long as the request (scoped services such as a DbContext work as in ASP.NET Core).
/// Register with <see cref="FcgiServiceCollectionExtensions.AddFcgiResponder{THandler}"/>.
/// </summary>
public interface IFcgiHandler
{
    /// <summary>Handles one request: read <see cref="FcgiRequestContext.Body"/>, write a CGI response to <see cref="FcgiRequestContext.Output"/>.</summary>
    Task HandleAsync(FcgiRequestContext context);
}
