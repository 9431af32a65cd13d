using System.Reflection;
using FcgiActors.Hocon;
using Microsoft.Extensions.Configuration;

namespace FcgiActors.Cli;

/// <summary>
/// The configuration every command uses: the embedded reference.conf, the --config file
/// merged over it (one HOCON document, so the file may refer to reference values), then
/// FCGI__ environment variables, then --set overrides.
/// </summary>
internal static class CliConfiguration
{
    /// <summary>Logical name of the embedded hocon/reference.conf (see the csproj).</summary>
    public const string ReferenceResource = "FcgiActors.reference.conf";

    /// <summary>Environment variable naming the config file when --config is not given.</summary>
    public const string ConfigFileVariable = "FCGI_CONFIG";

    /// <summary>Prefix of environment variables that override keys (FCGI__PROXY__LISTEN).</summary>
    public const string EnvironmentPrefix = "FCGI__";

    /// <summary>The text of the embedded reference.conf.</summary>
    public static string ReferenceText()
        => HoconConfigurationExtensions.ReadResource(typeof(CliConfiguration).Assembly, ReferenceResource)
           ?? throw new CliException(ExitCodes.Software, $"embedded resource {ReferenceResource} is missing from this build");

    /// <summary>
    /// Loads the layered configuration. <paramref name="overrides"/> are "path=value" pairs
    /// (path dotted or with ':'). Throws <see cref="CliException"/> with exit code 66 for a
    /// missing file, 64 for a malformed override, and <see cref="HoconException"/> for bad HOCON.
    /// </summary>
    public static IConfigurationRoot Load(string? configFile, string[] overrides, System.Collections.IDictionary? environmentVariables = null)
    {
        var variables = environmentVariables ?? Environment.GetEnvironmentVariables();
        string? environment(string name) => variables[name] as string;
        configFile ??= environment(ConfigFileVariable) is { Length: > 0 } fromEnv ? fromEnv : null;
        var sources = new List<HoconSource> { new(ReferenceText(), "reference.conf") };
        if (configFile is not null)
        {
            try
            {
                sources.Add(HoconSource.FromFile(configFile));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException(ExitCodes.NoInput, $"cannot read config file {configFile}: {e.Message}", e);
            }
        }
        var fromEnvironment = new KebabEnvironmentVariablesConfigurationSource(EnvironmentPrefix, () => variables);
        var fromCommandLine = ParseOverrides(overrides);
        var replaced = fromEnvironment.ReadData().Keys.Concat(fromCommandLine.Keys).ToList();
        var builder = new ConfigurationBuilder()
            .Add(new HoconConfigurationSource(() => sources, new HoconReaderOptions { EnvironmentVariables = environment }) { ReplacedKeys = () => replaced })
            .Add(fromEnvironment)
            .AddInMemoryCollection(fromCommandLine);
        var root = builder.Build();
        if (LastLoaded.Value is { } holder) holder.Value = root;
        return root;
    }

    /// <summary>Set by <see cref="Cli.RunAsync"/> so an error can be traced back to its file position.</summary>
    internal static readonly AsyncLocal<System.Runtime.CompilerServices.StrongBox<IConfigurationRoot?>?> LastLoaded = new();

    /// <summary>" (FILE:LINE:COL)" when the value at <paramref name="path"/> still is what a HOCON file wrote there.</summary>
    internal static string OriginOf(IConfigurationRoot? root, string path)
    {
        if (root is null || HoconTree(root)?.GetValue(path) is not HoconScalar scalar) return "";
        return root[path.Replace('.', ':')] == scalar.Text ? $" (at {scalar.Origin})" : "";
    }

    /// <summary>The resolved HOCON tree (reference + file) behind <paramref name="root"/>, types kept.</summary>
    public static HoconObject? HoconTree(IConfigurationRoot root)
        => root.Providers.OfType<HoconConfigurationProvider>().LastOrDefault()?.Root;

    internal static Dictionary<string, string?> ParseOverrides(IEnumerable<string> overrides)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in overrides)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new CliException(ExitCodes.Usage, $"--set expects PATH=VALUE (e.g. fcgi.logging.level=debug), got \"{pair}\"");
            }
            data[pair[..eq].Trim().Replace('.', ':')] = pair[(eq + 1)..];
        }
        return data;
    }

    internal static Assembly Assembly => typeof(CliConfiguration).Assembly;
}
