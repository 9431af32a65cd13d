using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;

namespace FcgiActors.Hocon;

/// <summary>Adds HOCON sources to an <see cref="IConfigurationBuilder"/>.</summary>
public static class HoconConfigurationExtensions
{
    /// <summary>Adds a HOCON file; relative includes resolve next to it.</summary>
    public static IConfigurationBuilder AddHoconFile(this IConfigurationBuilder builder, string path, bool optional = false,
        bool reloadOnChange = false, HoconReaderOptions? options = null)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        return builder.Add(new HoconFileConfigurationSource
        {
            FileProvider = Directory.Exists(directory) ? new PhysicalFileProvider(directory) : null,
            Path = Path.GetFileName(full),
            Optional = optional,
            ReloadOnChange = reloadOnChange,
            Options = options ?? HoconReaderOptions.Default,
        });
    }

    /// <summary>Adds HOCON text; <paramref name="name"/> appears in error positions.</summary>
    public static IConfigurationBuilder AddHoconString(this IConfigurationBuilder builder, string text, string name = "<string>",
        HoconReaderOptions? options = null)
        => builder.AddHoconSources([new HoconSource(text, name)], options);

    /// <summary>Adds a HOCON stream (read once, when the configuration is built).</summary>
    public static IConfigurationBuilder AddHoconStream(this IConfigurationBuilder builder, Stream stream, string name = "<stream>",
        HoconReaderOptions? options = null)
        => builder.Add(new HoconStreamConfigurationSource { Stream = stream, Name = name, Options = options ?? HoconReaderOptions.Default });

    /// <summary>Adds an embedded resource of <paramref name="assembly"/> holding HOCON text.</summary>
    public static IConfigurationBuilder AddHoconResource(this IConfigurationBuilder builder, Assembly assembly, string resourceName,
        bool optional = false, HoconReaderOptions? options = null)
    {
        var text = ReadResource(assembly, resourceName);
        if (text is null)
        {
            if (optional) return builder;
            throw new FileNotFoundException($"embedded resource \"{resourceName}\" not found in {assembly.GetName().Name}");
        }
        return builder.AddHoconSources([new HoconSource(text, resourceName)], options);
    }

    /// <summary>
    /// Adds several HOCON texts read as one configuration, in order: later ones override or merge
    /// with earlier ones and their substitutions see everything (like reference.conf + a file).
    /// </summary>
    public static IConfigurationBuilder AddHoconSources(this IConfigurationBuilder builder, IReadOnlyList<HoconSource> sources,
        HoconReaderOptions? options = null)
        => builder.Add(new HoconConfigurationSource(() => sources, options));

    /// <summary>Adds environment variables with <paramref name="prefix"/> mapped to kebab-case keys (see <see cref="KebabEnvironmentVariablesConfigurationSource"/>).</summary>
    public static IConfigurationBuilder AddKebabEnvironmentVariables(this IConfigurationBuilder builder, string prefix = "FCGI__")
        => builder.Add(new KebabEnvironmentVariablesConfigurationSource(prefix));

    /// <summary>The text of an embedded resource, or null when absent.</summary>
    public static string? ReadResource(Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName);
        if (stream is null) return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
