using System.Text;
using FcgiActors.Protocol;

namespace FcgiActors.Testing;

/// <summary>A record read back for assertions: its header and a copy of its content (padding dropped).</summary>
public sealed record CollectedRecord(RecordHeader Header, byte[] Content)
{
    public RecordType Type => Header.Type;

    public ushort RequestId => Header.RequestId;

    /// <summary>The content as UTF-8, for readable assertions on STDOUT/STDERR.</summary>
    public string ContentText => Encoding.UTF8.GetString(Content);

    /// <summary>Short and payload-free, like <see cref="RecordHeader.ToString"/>.</summary>
    public override string ToString() => Header.ToString();
}
