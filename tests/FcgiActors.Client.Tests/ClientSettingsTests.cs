using FcgiActors.Client.Bridge;
using FcgiActors.Hocon;
using Microsoft.Extensions.Configuration;

namespace FcgiActors.Client.Tests;

public sealed class ClientSettingsTests
{
    private static IConfigurationSection Section(string path, params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>($"{path}:{v.Key}", v.Value)))
            .Build()
            .GetSection(path);

    [Fact]
    public void FromConfiguration_Empty_GivesTheDefaults()
    {
        Assert.Equal(ClientSettings.Default, ClientSettings.FromConfiguration(Section("fcgi:client")));
        Assert.Equal(BridgeSettings.Default, BridgeSettings.FromConfiguration(Section("fcgi:bridge")));
    }

    [Fact]
    public void FromConfiguration_ReadsHoconDurationsSizesAndFlags()
    {
        var settings = ClientSettings.FromConfiguration(Section("fcgi:client",
            ("connect-timeout", "2s"), ("probe-timeout", "250ms"), ("max-connections", "4"),
            ("keep-conn", "off"), ("response-buffer", "1MiB"), ("idle-timeout", "1m")));

        Assert.Equal(TimeSpan.FromSeconds(2), settings.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), settings.ProbeTimeout);
        Assert.Equal(4, settings.MaxConnectionsPerBackend);
        Assert.False(settings.KeepConnection);
        Assert.Equal(1024 * 1024, settings.ResponseBufferSize);
        Assert.Equal(TimeSpan.FromMinutes(1), settings.IdleTimeout);
    }

    [Theory]
    [InlineData("response-buffer", "64k", "fcgi.client.response-buffer")]
    [InlineData("connect-timeout", "soon", "fcgi.client.connect-timeout")]
    [InlineData("max-connections", "0", "fcgi.client.max-connections")]
    public void FromConfiguration_BadValue_NamesTheHoconPath(string key, string value, string path)
    {
        var error = Assert.Throws<ConfigurationException>(() => ClientSettings.FromConfiguration(Section("fcgi:client", (key, value))));
        Assert.Contains(path, error.Message);
    }
}
