namespace FcgiActors.Protocol;

/// <summary>Receives the pairs a <see cref="NameValueDecoder"/> completes.</summary>
public interface INameValueSink
{
    /// <summary>
    /// One complete pair. The spans are valid only during the call: copy what you keep.
    /// </summary>
    void OnPair(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value);
}
