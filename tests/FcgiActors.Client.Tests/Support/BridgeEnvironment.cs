using System.Text;

namespace FcgiActors.Client.Tests.Support;

/// <summary>The CGI environment the bridge tests hand to <c>BridgeRunner</c>: name-value pairs as UTF-8 bytes.</summary>
internal static class BridgeEnvironment
{
    public static IReadOnlyList<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>> Of(params (string Name, string Value)[] pairs) =>
        pairs.Select(p => new KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes(p.Name), Encoding.UTF8.GetBytes(p.Value))).ToList();
}
