namespace FcgiActors.Protocol;

/// <summary>FCGI_UnknownTypeBody (§4.2): the type not understood, reserved[7].</summary>
public readonly record struct UnknownTypeBody(byte Type)
{
    public static UnknownTypeBody Parse(ReadOnlySpan<byte> content) => new(content[0]);

    public void WriteTo(Span<byte> destination)
    {
        destination[0] = Type;
        destination.Slice(1, 7).Clear();
    }
}
