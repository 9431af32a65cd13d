using FcgiActors.Protocol;

namespace FcgiActors.Protocol.Tests;

/// <summary>A record as bytes on the wire, with the header and content a reader must see in it.</summary>
public sealed record RecordFixture(string Name, byte[] Bytes, RecordHeader Header)
{
    /// <summary>The content bytes, padding excluded.</summary>
    public byte[] Content => Bytes.AsSpan(FcgiConstants.HeaderLength, Header.ContentLength).ToArray();

    public override string ToString() => Name;
}
