using System.Buffers.Binary;

namespace FcgiActors.Protocol;

/// <summary>FCGI_EndRequestBody (§5.5): appStatus (u32), protocolStatus, reserved[3].</summary>
public readonly record struct EndRequestBody(int AppStatus, ProtocolStatus ProtocolStatus)
{
    public static EndRequestBody Parse(ReadOnlySpan<byte> content) =>
        new(BinaryPrimitives.ReadInt32BigEndian(content), (ProtocolStatus)content[4]);

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, AppStatus);
        destination[4] = (byte)ProtocolStatus;
        destination.Slice(5, 3).Clear();
    }
}
