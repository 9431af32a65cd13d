using FcgiActors.Client;

namespace FcgiActors.Hosting;

/// <summary>Options of <see cref="FcgiServiceCollectionExtensions.AddFcgiClientPool(Microsoft.Extensions.DependencyInjection.IServiceCollection, string, Action{FcgiClientPoolOptions}?)"/>.</summary>
public sealed class FcgiClientPoolOptions : FcgiSettingsSource<ClientSettings>
{
    /// <summary>Binds <c>fcgi:client</c> (HOCON <c>fcgi.client</c>) by default.</summary>
    public FcgiClientPoolOptions() => ConfigurationSection = "fcgi:client";
}
