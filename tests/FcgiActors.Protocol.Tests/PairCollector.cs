using System.Text;
using FcgiActors.Protocol;

namespace FcgiActors.Protocol.Tests;

/// <summary>Keeps a copy of every decoded pair.</summary>
internal sealed class PairCollector : INameValueSink
{
    public List<(byte[] Name, byte[] Value)> Pairs { get; } = [];

    public List<(string Name, string Value)> Strings =>
        Pairs.Select(p => (Encoding.UTF8.GetString(p.Name), Encoding.UTF8.GetString(p.Value))).ToList();

    /// <summary>Pairs as hex strings, so collections of them compare by content.</summary>
    public static List<(string Name, string Value)> Hex(IEnumerable<(byte[] Name, byte[] Value)> pairs) =>
        pairs.Select(p => (Convert.ToHexString(p.Name), Convert.ToHexString(p.Value))).ToList();

    public void OnPair(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => Pairs.Add((name.ToArray(), value.ToArray()));
}
