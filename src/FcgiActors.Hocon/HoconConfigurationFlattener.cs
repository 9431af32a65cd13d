using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace FcgiActors.Hocon;

/// <summary>
/// Flattens a resolved HOCON tree into configuration keys: objects by name and arrays by index,
/// joined with ':' (fcgi.proxy.backends.0 → "fcgi:proxy:backends:0").
/// </summary>
public static class HoconConfigurationFlattener
{
    /// <summary>The flattened key/value pairs of <paramref name="root"/>.</summary>
    public static Dictionary<string, string?> Flatten(HoconObject root)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in root.Fields)
        {
            Visit(key, value, data);
        }
        return data;
    }

    private static void Visit(string prefix, HoconValue value, Dictionary<string, string?> data)
    {
        switch (value)
        {
            case HoconObject o:
                if (o.Fields.Count == 0) data[prefix] = null;
                foreach (var (key, child) in o.Fields) Visit(prefix + ConfigurationPath.KeyDelimiter + key, child, data);
                break;
            case HoconArray a:
                // An explicitly empty list stays visible (and empty) rather than disappearing.
                if (a.Items.Count == 0) data[prefix] = "";
                for (var i = 0; i < a.Items.Count; i++)
                {
                    Visit(prefix + ConfigurationPath.KeyDelimiter + i.ToString(CultureInfo.InvariantCulture), a.Items[i], data);
                }
                break;
            case HoconScalar { Kind: HoconValueKind.Null }:
                data[prefix] = null;
                break;
            case HoconScalar s:
                data[prefix] = s.Text;
                break;
        }
    }
}
