using System.Buffers.Binary;

namespace FcgiActors.Protocol;

/// <summary>FCGI_BeginRequestBody (§5.1): role (u16), flags, reserved[5].</summary>
public readonly record struct BeginRequestBody(Role Role, BeginRequestFlags Flags)
{
    /// <summary>FCGI_KEEP_CONN is set.</summary>
    public bool KeepConnection => (Flags & BeginRequestFlags.KeepConn) != 0;

    /// <summary>Decodes the 8-byte body; the role is returned as sent, known or not.</summary>
    public static BeginRequestBody Parse(ReadOnlySpan<byte> content) =>
        new((Role)BinaryPrimitives.ReadUInt16BigEndian(content), (BeginRequestFlags)content[2]);

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)Role);
        destination[2] = (byte)Flags;
        destination.Slice(3, 5).Clear();
    }
}
