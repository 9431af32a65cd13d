namespace FcgiActors.Protocol;

/// <summary>Record types (FastCGI 1.0, §8 "Types and constants").</summary>
public enum RecordType : byte
{
    BeginRequest = 1,    // FCGI_BEGIN_REQUEST
    AbortRequest = 2,    // FCGI_ABORT_REQUEST
    EndRequest = 3,      // FCGI_END_REQUEST
    Params = 4,          // FCGI_PARAMS
    Stdin = 5,           // FCGI_STDIN
    Stdout = 6,          // FCGI_STDOUT
    Stderr = 7,          // FCGI_STDERR
    Data = 8,            // FCGI_DATA
    GetValues = 9,       // FCGI_GET_VALUES
    GetValuesResult = 10, // FCGI_GET_VALUES_RESULT
    UnknownType = 11,    // FCGI_UNKNOWN_TYPE
}

/// <summary>Classification of record types used by readers and writers.</summary>
public static class RecordTypes
{
    /// <summary>FCGI_MAXTYPE: the highest type this version of the protocol defines.</summary>
    public const byte MaxType = (byte)RecordType.UnknownType;

    /// <summary>True for the types the spec calls management records (§3.3): requestId is 0.</summary>
    public static bool IsManagement(RecordType type) =>
        type is RecordType.GetValues or RecordType.GetValuesResult or RecordType.UnknownType;

    /// <summary>True for the five stream types (§3.3): zero or more non-empty records, then one empty record.</summary>
    public static bool IsStream(RecordType type) =>
        type is RecordType.Params or RecordType.Stdin or RecordType.Stdout or RecordType.Stderr or RecordType.Data;

    /// <summary>True for a type this protocol version defines (1..11).</summary>
    public static bool IsKnown(RecordType type) => (byte)type is >= 1 and <= MaxType;
}
