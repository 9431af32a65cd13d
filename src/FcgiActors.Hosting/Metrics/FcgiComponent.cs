namespace FcgiActors.Hosting.Metrics;

/// <summary>Which FcgiActors face took a measurement (the <c>fcgi.component</c> tag).</summary>
public enum FcgiComponent
{
    /// <summary>The responder library (<c>FcgiServer</c>): front connections from a web server.</summary>
    Responder,

    /// <summary>The multiplexing proxy (<c>fcgi proxy</c>).</summary>
    Proxy,

    /// <summary>The client side (<c>BackendPool</c>, the bridge).</summary>
    Client,

    /// <summary>ASP.NET Core served over FastCGI (<c>FastCgiAspNetServer</c>).</summary>
    AspNetCore,
}
