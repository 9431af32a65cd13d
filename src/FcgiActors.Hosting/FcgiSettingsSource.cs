using Microsoft.Extensions.Configuration;

namespace FcgiActors.Hosting;

/// <summary>
/// Where a component's immutable <c>*Settings</c> come from, in order: an instance given in code;
/// else the host's <see cref="IConfiguration"/> section (HOCON <c>fcgi.responder</c> is the
/// configuration path <c>fcgi:responder</c>), when it exists; else the library's <c>Default</c>.
/// <see cref="Configure"/> then adjusts the result (<c>s =&gt; s with { ... }</c>).
/// </summary>
/// <typeparam name="TSettings">ResponderSettings, ClientSettings, ProxySettings.</typeparam>
public abstract class FcgiSettingsSource<TSettings>
    where TSettings : class
{
    /// <summary>Settings given in code; when set, configuration is not read.</summary>
    public TSettings? Settings { get; set; }

    /// <summary>The configuration section to bind when <see cref="Settings"/> is null (":"-separated).</summary>
    public string ConfigurationSection { get; set; } = string.Empty;

    /// <summary>A last adjustment applied to whichever settings were chosen.</summary>
    public Func<TSettings, TSettings>? Configure { get; set; }

    /// <summary>Resolves the settings against the host's <paramref name="configuration"/> (may be null).</summary>
    internal TSettings Resolve(IConfiguration? configuration, Func<IConfiguration, TSettings> bind, TSettings defaults)
    {
        var settings = Settings;
        if (settings is null)
        {
            var section = string.IsNullOrEmpty(ConfigurationSection) ? null : configuration?.GetSection(ConfigurationSection);
            settings = section is not null && section.Exists() ? bind(section) : defaults;
        }

        return Configure is null ? settings : Configure(settings);
    }
}
