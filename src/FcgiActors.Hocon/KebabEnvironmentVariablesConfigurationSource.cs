using System.Collections;
using Microsoft.Extensions.Configuration;

namespace FcgiActors.Hocon;

/// <summary>
/// Environment variables as configuration for kebab-case HOCON keys: with prefix "FCGI__",
/// FCGI__PROXY__QUEUE_TIMEOUT=10s sets fcgi:proxy:queue-timeout ("__" separates sections, a
/// single "_" stands for "-", since shells do not allow '-' in variable names).
/// </summary>
public sealed class KebabEnvironmentVariablesConfigurationSource : IConfigurationSource
{
    /// <summary>Creates the source for variables starting with <paramref name="prefix"/> (case-insensitive).</summary>
    public KebabEnvironmentVariablesConfigurationSource(string prefix, Func<IDictionary>? variables = null)
    {
        Prefix = prefix;
        Variables = variables ?? Environment.GetEnvironmentVariables;
    }

    /// <summary>Only variables starting with this prefix are read; it becomes the first key segment.</summary>
    public string Prefix { get; }

    /// <summary>Where the variables come from (the process environment by default).</summary>
    public Func<IDictionary> Variables { get; }

    /// <summary>The configuration key for a variable name, or null when it lacks the prefix.</summary>
    public string? KeyOf(string name)
    {
        if (!name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)) return null;
        var segments = name.Split("__");
        return string.Join(ConfigurationPath.KeyDelimiter, segments.Select(s => s.Replace('_', '-').ToLowerInvariant()));
    }

    /// <summary>The configuration keys and values the variables set now.</summary>
    public Dictionary<string, string?> ReadData()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in Variables())
        {
            if (entry.Key is string name && KeyOf(name) is { } key)
            {
                data[key] = entry.Value as string;
            }
        }
        return data;
    }

    /// <inheritdoc />
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(this);

    private sealed class Provider(KebabEnvironmentVariablesConfigurationSource source) : ConfigurationProvider
    {
        public override void Load() => Data = source.ReadData();
    }
}
