using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace FcgiActors.Hosting.Tests.AspNetCore;

/// <summary>The smallest IHttpApplication: a RequestDelegate over a DefaultHttpContext, recording the DisposeContext call.</summary>
internal sealed class DelegateApplication(RequestDelegate handler) : IHttpApplication<HttpContext>
{
    public Exception? DisposedWith { get; private set; }

    public bool Disposed { get; private set; }

    public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

    public Task ProcessRequestAsync(HttpContext context) => handler(context);

    public void DisposeContext(HttpContext context, Exception? exception)
    {
        Disposed = true;
        DisposedWith = exception;
    }
}
