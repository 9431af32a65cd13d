using System.Text;

namespace FcgiActors.Proxy.Routing;

/// <summary>
/// The deny and strip lists (fcgi.proxy.deny-params, fcgi.proxy.strip-params). Names compare
/// ignoring ASCII case: PHP-FPM matches PHP_VALUE exactly, but a list meant as a guard should
/// not be dodged by a differently cased copy.
/// </summary>
internal sealed class ParamFilter
{
    private readonly byte[][] _deny;
    private readonly byte[][] _strip;

    public ParamFilter(IReadOnlyList<string> deny, IReadOnlyList<string> strip)
    {
        _deny = deny.Select(Encoding.ASCII.GetBytes).ToArray();
        _strip = strip.Select(Encoding.ASCII.GetBytes).ToArray();
    }

    public bool IsEmpty => _deny.Length == 0 && _strip.Length == 0;

    public bool IsDenied(ReadOnlySpan<byte> name) => Contains(_deny, name);

    public bool IsStripped(ReadOnlySpan<byte> name) => Contains(_strip, name);

    private static bool Contains(byte[][] list, ReadOnlySpan<byte> name)
    {
        foreach (var entry in list)
        {
            if (Ascii.EqualsIgnoreCase(entry, name))
            {
                return true;
            }
        }

        return false;
    }
}
