using System.Buffers.Binary;
using System.Text;
using FcgiActors.Protocol;

namespace FcgiActors.Testing;

/// <summary>
/// Builds wire bytes by hand, independently of <see cref="RecordWriter"/>, so tests of the
/// writer and of the reader do not share a bug. Padding and reserved bytes are always zero.
/// </summary>
public static class Records
{
    /// <summary>
    /// One record: the 8-byte header (§3.3), <paramref name="content"/>, then
    /// <paramref name="padding"/> zero bytes. The version byte is settable to build malformed input.
    /// </summary>
    public static byte[] MakeRecord(RecordType type, ushort requestId, ReadOnlySpan<byte> content, byte padding = 0, byte version = 1)
    {
        if (content.Length > FcgiConstants.MaxContentLength)
        {
            throw new ArgumentOutOfRangeException(nameof(content), content.Length, "A record holds at most 65535 content bytes.");
        }

        var bytes = new byte[FcgiConstants.HeaderLength + content.Length + padding];
        WriteHeader(bytes, version, (byte)type, requestId, (ushort)content.Length, padding);
        content.CopyTo(bytes.AsSpan(FcgiConstants.HeaderLength));
        return bytes;
    }

    /// <summary>
    /// Eight header bytes with every field free, including values a sender must never use
    /// (a wrong version, a nonzero reserved byte): for malformed-input tests.
    /// </summary>
    public static byte[] Header(byte version, byte type, ushort requestId, ushort contentLength, byte padding = 0, byte reserved = 0)
    {
        var bytes = new byte[FcgiConstants.HeaderLength];
        WriteHeader(bytes, version, type, requestId, contentLength, padding);
        bytes[7] = reserved;
        return bytes;
    }

    /// <summary>One name-value pair (§3.4), both strings as UTF-8.</summary>
    public static byte[] NameValuePair(string name, string value) =>
        NameValuePair(Encoding.UTF8.GetBytes(name), Encoding.UTF8.GetBytes(value));

    /// <summary>One name-value pair (§3.4): 1-byte lengths below 128, else 4 bytes with the top bit set.</summary>
    public static byte[] NameValuePair(byte[] name, byte[] value) =>
        Concat(Length(name.Length), Length(value.Length), name, value);

    /// <summary>The encoding of one name-value length (§3.4): 1 byte below 128, else 4 bytes with the top bit set.</summary>
    public static byte[] Length(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length < 0x80)
        {
            return [(byte)length];
        }

        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)length | 0x8000_0000u);
        return bytes;
    }

    /// <summary>FCGI_BEGIN_REQUEST (§5.1): role (u16), flags, reserved[5].</summary>
    public static byte[] BeginRequest(ushort requestId, Role role, BeginRequestFlags flags = BeginRequestFlags.None)
    {
        var body = new byte[8];
        BinaryPrimitives.WriteUInt16BigEndian(body, (ushort)role);
        body[2] = (byte)flags;
        return MakeRecord(RecordType.BeginRequest, requestId, body);
    }

    /// <summary>FCGI_ABORT_REQUEST (§5.4): no content.</summary>
    public static byte[] AbortRequest(ushort requestId) => MakeRecord(RecordType.AbortRequest, requestId, []);

    /// <summary>FCGI_END_REQUEST (§5.5): appStatus (u32), protocolStatus, reserved[3].</summary>
    public static byte[] EndRequest(ushort requestId, int appStatus, ProtocolStatus status = ProtocolStatus.RequestComplete)
    {
        var body = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(body, appStatus);
        body[4] = (byte)status;
        return MakeRecord(RecordType.EndRequest, requestId, body);
    }

    /// <summary>FCGI_UNKNOWN_TYPE (§4.2) on request ID 0: the type not understood, reserved[7].</summary>
    public static byte[] UnknownType(byte type)
    {
        var body = new byte[8];
        body[0] = type;
        return MakeRecord(RecordType.UnknownType, FcgiConstants.NullRequestId, body);
    }

    /// <summary>
    /// A whole PARAMS stream: the encoded pairs in records, then the empty record. The pairs are
    /// cut into records of at most 65528 bytes wherever the cut falls, so a large set has pairs
    /// straddling records, as §3.4 allows senders to do.
    /// </summary>
    public static byte[] Params(ushort requestId, params (string Name, string Value)[] pairs) =>
        Stream(RecordType.Params, requestId, Concat(pairs.Select(p => NameValuePair(p.Name, p.Value)).ToArray()));

    /// <summary>
    /// A whole stream (§3.3): <paramref name="data"/> in records of at most 65528 bytes, then
    /// one empty record. Empty data gives just the empty record.
    /// </summary>
    public static byte[] Stream(RecordType type, ushort requestId, byte[] data)
    {
        var parts = new List<byte[]>();
        for (var offset = 0; offset < data.Length; offset += FcgiConstants.MaxAlignedContentLength)
        {
            var chunk = Math.Min(FcgiConstants.MaxAlignedContentLength, data.Length - offset);
            parts.Add(MakeRecord(type, requestId, data.AsSpan(offset, chunk)));
        }

        parts.Add(MakeRecord(type, requestId, []));
        return Concat(parts.ToArray());
    }

    /// <summary>
    /// A whole responder request as a web server sends it: BEGIN_REQUEST, the PARAMS stream and
    /// the STDIN stream (an empty STDIN is still sent, §6.2).
    /// </summary>
    public static byte[] Request(ushort requestId, (string Name, string Value)[] parameters, byte[]? stdin = null,
        BeginRequestFlags flags = BeginRequestFlags.None, Role role = Role.Responder) =>
        Concat(BeginRequest(requestId, role, flags), Params(requestId, parameters), Stream(RecordType.Stdin, requestId, stdin ?? []));

    /// <summary>FCGI_GET_VALUES (§4.1) on request ID 0: the names with empty values, in one record.</summary>
    public static byte[] GetValues(params string[] names) =>
        MakeRecord(RecordType.GetValues, FcgiConstants.NullRequestId, Concat(names.Select(n => NameValuePair(n, "")).ToArray()));

    /// <summary>FCGI_GET_VALUES_RESULT (§4.1) on request ID 0, in one record.</summary>
    public static byte[] GetValuesResult(params (string Name, string Value)[] values) =>
        MakeRecord(RecordType.GetValuesResult, FcgiConstants.NullRequestId, Concat(values.Select(v => NameValuePair(v.Name, v.Value)).ToArray()));

    /// <summary>The parts, one after the other.</summary>
    public static byte[] Concat(params byte[][] parts)
    {
        var bytes = new byte[parts.Sum(p => p.Length)];
        var offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(bytes, offset);
            offset += part.Length;
        }

        return bytes;
    }

    private static void WriteHeader(Span<byte> bytes, byte version, byte type, ushort requestId, ushort contentLength, byte padding)
    {
        bytes[0] = version;
        bytes[1] = type;
        BinaryPrimitives.WriteUInt16BigEndian(bytes[2..], requestId);
        BinaryPrimitives.WriteUInt16BigEndian(bytes[4..], contentLength);
        bytes[6] = padding;
        bytes[7] = 0;
    }
}
