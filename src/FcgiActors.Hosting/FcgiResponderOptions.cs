using FcgiActors.Responder;

namespace FcgiActors.Hosting;

/// <summary>
/// Options of <c>AddFcgiResponder</c>: <see cref="ResponderSettings"/> from code, or from the
/// <c>fcgi:responder</c> configuration section (HOCON <c>fcgi.responder</c>), or the defaults.
/// </summary>
public sealed class FcgiResponderOptions : FcgiSettingsSource<ResponderSettings>
{
    /// <summary>Binds <c>fcgi:responder</c> by default.</summary>
    public FcgiResponderOptions() => ConfigurationSection = "fcgi:responder";
}
