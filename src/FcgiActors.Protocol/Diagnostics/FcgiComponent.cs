namespace FcgiActors.Diagnostics;

/// <summary>Which FcgiActors face took a measurement (the <c>component</c> tag).</summary>
public enum FcgiComponent
{
    /// <summary>The responder library (<c>FcgiServer</c>): front connections from a web server, the proxy's front included.</summary>
    Responder,

    /// <summary>The client side (<c>BackendPool</c>, the bridge): connections to FastCGI backends.</summary>
    Client,

    /// <summary>The multiplexing proxy (<c>fcgi proxy</c>): routing, queueing, supervision.</summary>
    Proxy,

    /// <summary>ASP.NET Core served over FastCGI (<c>FastCgiAspNetServer</c>): the HTTP application's outcome.</summary>
    AspNetCore,
}
