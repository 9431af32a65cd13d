using System.Buffers;
using FcgiActors.Protocol;
using FcgiActors.Testing;

namespace FcgiActors.Protocol.Tests;

/// <summary>Every fixture read whole, from growing prefixes, byte by byte and split at every offset.</summary>
public sealed class RecordReaderFixtureTests
{
    [Fact]
    public void Fixtures_CoverEveryRecordTypeAndAnUnknownOne()
    {
        var types = RecordFixtures.All.Select(f => f.Header.Type).ToHashSet();
        foreach (var type in Enum.GetValues<RecordType>())
        {
            Assert.Contains(type, types);
        }

        Assert.Contains(types, t => !RecordTypes.IsKnown(t));
    }

    [Theory]
    [MemberData(nameof(RecordFixtures.Names), MemberType = typeof(RecordFixtures))]
    public void TryRead_WholeRecord_ReturnsHeaderAndContentAndSlicesItOff(string name)
    {
        var fixture = RecordFixtures.Get(name);
        var buffer = new ReadOnlySequence<byte>(Records.Concat(fixture.Bytes, [0x01, 0x05]));

        Assert.True(RecordReader.TryRead(ref buffer, out var header, out var content));

        Assert.Equal(fixture.Header, header);
        Assert.Equal(fixture.Content, content.ToArray());
        // Padding is skipped: exactly the two trailing bytes remain.
        Assert.Equal([0x01, 0x05], buffer.ToArray());
    }

    [Theory]
    [MemberData(nameof(RecordFixtures.Names), MemberType = typeof(RecordFixtures))]
    public void TryRead_GrowingPrefixes_ReturnsFalseAndConsumesNothingUntilComplete(string name)
    {
        var fixture = RecordFixtures.Get(name);
        for (var length = 0; length < fixture.Bytes.Length; length++)
        {
            // Each prefix as one segment per byte: the way a slow peer delivers it.
            var prefix = Sequences.ByteByByte(fixture.Bytes[..length]);
            var buffer = prefix;

            Assert.False(RecordReader.TryRead(ref buffer, out _, out _), $"prefix of {length} bytes");
            Assert.Equal(prefix.Start, buffer.Start);
            Assert.Equal(prefix.Length, buffer.Length);
        }

        var whole = Sequences.ByteByByte(fixture.Bytes);
        Assert.True(RecordReader.TryRead(ref whole, out var header, out var content));
        Assert.Equal(fixture.Header, header);
        Assert.Equal(fixture.Content, content.ToArray());
        Assert.True(whole.IsEmpty);
    }

    [Theory]
    [MemberData(nameof(RecordFixtures.Names), MemberType = typeof(RecordFixtures))]
    public void TryRead_SplitAtEveryOffset_ReadsTheSameRecord(string name)
    {
        var fixture = RecordFixtures.Get(name);
        foreach (var sequence in Sequences.AllSplits(fixture.Bytes))
        {
            var buffer = sequence;
            Assert.True(RecordReader.TryRead(ref buffer, out var header, out var content), $"split at {sequence.First.Length}");
            Assert.Equal(fixture.Header, header);
            Assert.Equal(fixture.Content, content.ToArray());
            Assert.True(buffer.IsEmpty);
        }
    }

    [Fact]
    public void TryRead_AllFixturesBackToBackAtEveryOffset_ReadsThemInOrder()
    {
        var stream = Records.Concat(RecordFixtures.All.Select(f => f.Bytes).ToArray());
        foreach (var sequence in Sequences.AllSplits(stream))
        {
            var records = RecordCollector.ReadAll(sequence);

            Assert.Equal(RecordFixtures.All.Select(f => f.Header), records.Select(r => r.Header));
            Assert.Equal(RecordFixtures.All.Select(f => f.Content), records.Select(r => r.Content));
        }
    }

    [Fact]
    public void BeginRequestBody_Parse_ReadsRoleAndFlags()
    {
        var keepConn = BeginRequestBody.Parse(RecordFixtures.Get("BEGIN_REQUEST responder keep-conn").Content);
        var filter = BeginRequestBody.Parse(RecordFixtures.Get("BEGIN_REQUEST filter, high request ID").Content);

        Assert.Equal(new BeginRequestBody(Role.Responder, BeginRequestFlags.KeepConn), keepConn);
        Assert.True(keepConn.KeepConnection);
        Assert.Equal(new BeginRequestBody(Role.Filter, BeginRequestFlags.None), filter);
        Assert.False(filter.KeepConnection);
    }

    [Fact]
    public void BeginRequestBody_UnknownRole_IsReturnedAsSent()
    {
        Assert.Equal((Role)0x1234, BeginRequestBody.Parse([0x12, 0x34, 0, 0, 0, 0, 0, 0]).Role);
    }

    [Fact]
    public void EndRequestBody_Parse_ReadsAppStatusAndProtocolStatus()
    {
        Assert.Equal(new EndRequestBody(258, ProtocolStatus.RequestComplete),
            EndRequestBody.Parse(RecordFixtures.Get("END_REQUEST complete, appStatus 258").Content));
        Assert.Equal(new EndRequestBody(-1, ProtocolStatus.Overloaded),
            EndRequestBody.Parse(RecordFixtures.Get("END_REQUEST overloaded").Content));
    }

    [Fact]
    public void UnknownTypeBody_Parse_ReadsTheType()
    {
        Assert.Equal(new UnknownTypeBody(12), UnknownTypeBody.Parse(RecordFixtures.Get("UNKNOWN_TYPE naming type 12").Content));
    }

    [Fact]
    public void Builders_MatchTheHandWrittenFixtures()
    {
        Assert.Equal(RecordFixtures.Get("BEGIN_REQUEST responder keep-conn").Bytes,
            Records.BeginRequest(1, Role.Responder, BeginRequestFlags.KeepConn));
        Assert.Equal(RecordFixtures.Get("ABORT_REQUEST").Bytes, Records.AbortRequest(7));
        Assert.Equal(RecordFixtures.Get("END_REQUEST overloaded").Bytes, Records.EndRequest(2, -1, ProtocolStatus.Overloaded));
        Assert.Equal(RecordFixtures.Get("UNKNOWN_TYPE naming type 12").Bytes, Records.UnknownType(12));
        Assert.Equal(RecordFixtures.Get("STDIN hello, padded to 8").Bytes,
            Records.MakeRecord(RecordType.Stdin, 1, "hello"u8, padding: 3));
        Assert.Equal(RecordFixtures.Get("PARAMS one pair, padded").Bytes,
            Records.MakeRecord(RecordType.Params, 1, Records.NameValuePair("SCRIPT_NAME", "/x"), padding: 1));
    }
}
