using FcgiActors.Protocol;

namespace FcgiActors.Protocol.Tests;

/// <summary>
/// Hand-written records of every type (§8), one comment per group of bytes. Every fixture is
/// parsed whole, byte by byte and split at every offset by <see cref="RecordReaderFixtureTests"/>.
/// </summary>
public static class RecordFixtures
{
    public static readonly RecordFixture[] All =
    [
        new("BEGIN_REQUEST responder keep-conn",
        [
            1,                  // version: FCGI_VERSION_1
            1,                  // type: FCGI_BEGIN_REQUEST
            0x00, 0x01,         // requestId: 1
            0x00, 0x08,         // contentLength: 8
            0,                  // paddingLength
            0,                  // reserved
            0x00, 0x01,         // role: FCGI_RESPONDER
            0x01,               // flags: FCGI_KEEP_CONN
            0, 0, 0, 0, 0,      // reserved[5]
        ], new RecordHeader(RecordType.BeginRequest, 1, 8)),

        new("BEGIN_REQUEST filter, high request ID",
        [
            1, 1,               // version 1, FCGI_BEGIN_REQUEST
            0xBE, 0xEF,         // requestId: 48879 (big-endian)
            0x00, 0x08,         // contentLength: 8
            0, 0,               // paddingLength, reserved
            0x00, 0x03,         // role: FCGI_FILTER
            0x00,               // flags: none
            0, 0, 0, 0, 0,      // reserved[5]
        ], new RecordHeader(RecordType.BeginRequest, 0xBEEF, 8)),

        new("ABORT_REQUEST",
        [
            1, 2,               // version 1, FCGI_ABORT_REQUEST
            0x00, 0x07,         // requestId: 7
            0x00, 0x00,         // contentLength: 0
            0, 0,               // paddingLength, reserved
        ], new RecordHeader(RecordType.AbortRequest, 7, 0)),

        new("END_REQUEST complete, appStatus 258",
        [
            1, 3,               // version 1, FCGI_END_REQUEST
            0x00, 0x01,         // requestId: 1
            0x00, 0x08,         // contentLength: 8
            0, 0,               // paddingLength, reserved
            0x00, 0x00, 0x01, 0x02, // appStatus: 258 (big-endian u32)
            0x00,               // protocolStatus: FCGI_REQUEST_COMPLETE
            0, 0, 0,            // reserved[3]
        ], new RecordHeader(RecordType.EndRequest, 1, 8)),

        new("END_REQUEST overloaded",
        [
            1, 3,               // version 1, FCGI_END_REQUEST
            0x00, 0x02,         // requestId: 2
            0x00, 0x08,         // contentLength: 8
            0, 0,               // paddingLength, reserved
            0xFF, 0xFF, 0xFF, 0xFF, // appStatus: -1
            0x02,               // protocolStatus: FCGI_OVERLOADED
            0, 0, 0,            // reserved[3]
        ], new RecordHeader(RecordType.EndRequest, 2, 8)),

        new("PARAMS one pair, padded",
        [
            1, 4,               // version 1, FCGI_PARAMS
            0x00, 0x01,         // requestId: 1
            0x00, 0x0F,         // contentLength: 15
            1, 0,               // paddingLength: 1, reserved
            0x0B, 0x02,         // nameLength 11, valueLength 2 (1-byte forms)
            (byte)'S', (byte)'C', (byte)'R', (byte)'I', (byte)'P', (byte)'T', (byte)'_',
            (byte)'N', (byte)'A', (byte)'M', (byte)'E', // name: SCRIPT_NAME
            (byte)'/', (byte)'x', // value: /x
            0,                  // padding
        ], new RecordHeader(RecordType.Params, 1, 15, 1)),

        new("PARAMS empty: end of stream",
        [
            1, 4,               // version 1, FCGI_PARAMS
            0x00, 0x01,         // requestId: 1
            0x00, 0x00,         // contentLength: 0
            0, 0,               // paddingLength, reserved
        ], new RecordHeader(RecordType.Params, 1, 0)),

        new("STDIN hello, padded to 8",
        [
            1, 5,               // version 1, FCGI_STDIN
            0x00, 0x01,         // requestId: 1
            0x00, 0x05,         // contentLength: 5
            3, 0,               // paddingLength: 3, reserved
            (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o', // content
            0, 0, 0,            // padding
        ], new RecordHeader(RecordType.Stdin, 1, 5, 3)),

        new("STDOUT, padding and reserved bytes not zero (receivers ignore them)",
        [
            1, 6,               // version 1, FCGI_STDOUT
            0x00, 0x01,         // requestId: 1
            0x00, 0x03,         // contentLength: 3
            5, 0x5A,            // paddingLength: 5, reserved: garbage
            (byte)'o', (byte)'k', (byte)'\n', // content
            0xDE, 0xAD, 0xBE, 0xEF, 0x99,     // padding: garbage
        ], new RecordHeader(RecordType.Stdout, 1, 3, 5)),

        new("STDERR",
        [
            1, 7,               // version 1, FCGI_STDERR
            0x00, 0x01,         // requestId: 1
            0x00, 0x04,         // contentLength: 4
            4, 0,               // paddingLength: 4, reserved
            (byte)'o', (byte)'o', (byte)'p', (byte)'s', // content
            0, 0, 0, 0,         // padding
        ], new RecordHeader(RecordType.Stderr, 1, 4, 4)),

        new("DATA",
        [
            1, 8,               // version 1, FCGI_DATA
            0x01, 0x00,         // requestId: 256
            0x00, 0x03,         // contentLength: 3
            5, 0,               // paddingLength: 5, reserved
            0x00, 0xFF, 0x80,   // content: arbitrary bytes
            0, 0, 0, 0, 0,      // padding
        ], new RecordHeader(RecordType.Data, 256, 3, 5)),

        new("GET_VALUES one name",
        [
            1, 9,               // version 1, FCGI_GET_VALUES
            0x00, 0x00,         // requestId: 0 (management)
            0x00, 0x11,         // contentLength: 17
            7, 0,               // paddingLength: 7, reserved
            0x0F, 0x00,         // nameLength 15, valueLength 0
            (byte)'F', (byte)'C', (byte)'G', (byte)'I', (byte)'_', (byte)'M', (byte)'P', (byte)'X',
            (byte)'S', (byte)'_', (byte)'C', (byte)'O', (byte)'N', (byte)'N', (byte)'S', // FCGI_MPXS_CONNS
            0, 0, 0, 0, 0, 0, 0, // padding
        ], new RecordHeader(RecordType.GetValues, 0, 17, 7)),

        new("GET_VALUES_RESULT one value",
        [
            1, 10,              // version 1, FCGI_GET_VALUES_RESULT
            0x00, 0x00,         // requestId: 0 (management)
            0x00, 0x12,         // contentLength: 18
            6, 0,               // paddingLength: 6, reserved
            0x0F, 0x01,         // nameLength 15, valueLength 1
            (byte)'F', (byte)'C', (byte)'G', (byte)'I', (byte)'_', (byte)'M', (byte)'P', (byte)'X',
            (byte)'S', (byte)'_', (byte)'C', (byte)'O', (byte)'N', (byte)'N', (byte)'S', // FCGI_MPXS_CONNS
            (byte)'1',          // value
            0, 0, 0, 0, 0, 0,   // padding
        ], new RecordHeader(RecordType.GetValuesResult, 0, 18, 6)),

        new("UNKNOWN_TYPE naming type 12",
        [
            1, 11,              // version 1, FCGI_UNKNOWN_TYPE
            0x00, 0x00,         // requestId: 0 (management)
            0x00, 0x08,         // contentLength: 8
            0, 0,               // paddingLength, reserved
            12,                 // type: the one not understood
            0, 0, 0, 0, 0, 0, 0, // reserved[7]
        ], new RecordHeader(RecordType.UnknownType, 0, 8)),

        new("unknown type 12 on ID 0: read, the caller answers UNKNOWN_TYPE",
        [
            1, 12,              // version 1, type 12 (not in FastCGI 1.0)
            0x00, 0x00,         // requestId: 0
            0x00, 0x02,         // contentLength: 2
            6, 0,               // paddingLength: 6, reserved
            0xAB, 0xCD,         // content
            0, 0, 0, 0, 0, 0,   // padding
        ], new RecordHeader(1, (RecordType)12, 0, 2, 6)),

        new("unknown type 200 on a request ID: read, the caller decides",
        [
            1, 200,             // version 1, type 200
            0x00, 0x09,         // requestId: 9
            0x00, 0x00,         // contentLength: 0
            0, 0,               // paddingLength, reserved
        ], new RecordHeader(1, (RecordType)200, 9, 0, 0)),

        new("STDIN with 300 content bytes (two-byte contentLength)",
        [
            1, 5,               // version 1, FCGI_STDIN
            0x00, 0x01,         // requestId: 1
            0x01, 0x2C,         // contentLength: 300 (big-endian)
            4, 0,               // paddingLength: 4, reserved
            .. Enumerable.Range(0, 300).Select(i => (byte)(i * 7)), // content
            0, 0, 0, 0,         // padding
        ], new RecordHeader(RecordType.Stdin, 1, 300, 4)),
    ];

    public static TheoryData<string> Names => new(All.Select(f => f.Name));

    public static RecordFixture Get(string name) => All.Single(f => f.Name == name);
}
