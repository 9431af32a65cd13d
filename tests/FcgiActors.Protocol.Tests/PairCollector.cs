using System.Text;
using FcgiActors.Protocol;

namespace FcgiActors.Protocol.Tests;

/// <summary>Keeps a copy of every decoded pair.</summary>
internal sealed class PairCollector : INameValueSink
{
    public List<(byte[] Name, byte[] Value)> Pairs { get; } = [];

    public List<(string Name, string Value)> Strings =>
        Pairs.Select(p => (Encoding.UTF8.GetString(p.Name), Encoding.UTF8.GetString(p.Value))).ToList();

    public void OnPair(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value) => Pairs.Add((name.ToArray(), value.ToArray()));
}
