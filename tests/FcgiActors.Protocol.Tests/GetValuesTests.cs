using System.Buffers;
using FcgiActors.Protocol;
using FcgiActors.Testing;

namespace FcgiActors.Protocol.Tests;

public sealed class GetValuesTests
{
    private static readonly ManagementValues AllKnown = new(MaxConns: 10, MaxReqs: 50, MpxsConns: true);

    private static CollectedRecord Answer(byte[] query, ManagementValues values)
    {
        var output = new GarbageBufferWriter();
        GetValues.WriteResult(output, new ReadOnlySequence<byte>(query), values);
        return Assert.Single(RecordCollector.ReadAll(output.WrittenBytes));
    }

    private static List<(string, string)> Pairs(byte[] content)
    {
        var sink = new PairCollector();
        using var decoder = new NameValueDecoder(NameValueLimits.Unbounded);
        decoder.Decode(content, sink);
        decoder.Complete();
        return sink.Strings;
    }

    private static byte[] Query(params string[] names) =>
        Records.Concat(names.Select(n => Records.NameValuePair(n, "")).ToArray());

    [Fact]
    public void WriteQuery_AsksForAllThreeVariablesInOneManagementRecord()
    {
        var output = new GarbageBufferWriter();

        GetValues.WriteQuery(output);

        var record = Assert.Single(RecordCollector.ReadAll(output.WrittenBytes));
        Assert.Equal(RecordType.GetValues, record.Type);
        Assert.Equal(FcgiConstants.NullRequestId, record.RequestId);
        Assert.Equal([("FCGI_MAX_CONNS", ""), ("FCGI_MAX_REQS", ""), ("FCGI_MPXS_CONNS", "")], Pairs(record.Content));
    }

    [Fact]
    public void WriteResult_AllThreeAsked_AnswersInTheOrderAsked()
    {
        var record = Answer(Query("FCGI_MPXS_CONNS", "FCGI_MAX_CONNS", "FCGI_MAX_REQS"), AllKnown);

        Assert.Equal(new RecordHeader(RecordType.GetValuesResult, 0, record.Header.ContentLength, RecordHeader.PaddingFor(record.Header.ContentLength)), record.Header);
        Assert.Equal([("FCGI_MPXS_CONNS", "1"), ("FCGI_MAX_CONNS", "10"), ("FCGI_MAX_REQS", "50")], Pairs(record.Content));
    }

    [Fact]
    public void WriteResult_EachNameAskedAHundredTimes_AnswersEachOnce()
    {
        // libfcgi answers every repetition and overflows a 64-byte buffer.
        var names = Enumerable.Range(0, 100).SelectMany(_ => new[] { "FCGI_MAX_REQS", "FCGI_MAX_CONNS", "FCGI_MPXS_CONNS" }).ToArray();

        var record = Answer(Query(names), AllKnown);

        Assert.Equal([("FCGI_MAX_REQS", "50"), ("FCGI_MAX_CONNS", "10"), ("FCGI_MPXS_CONNS", "1")], Pairs(record.Content));
    }

    [Fact]
    public void WriteResult_UnknownNames_AreLeftOut()
    {
        var record = Answer(Query("FCGI_FOO", "PHP_VALUE", "FCGI_MAX_REQS", "fcgi_max_conns"), AllKnown);

        Assert.Equal([("FCGI_MAX_REQS", "50")], Pairs(record.Content));
    }

    [Fact]
    public void WriteResult_UnknownNameLongerThanAnyVariable_IsIgnoredAndTheRestAnswered()
    {
        var longName = new string('X', 1000);

        var record = Answer(Query(longName, "FCGI_MPXS_CONNS"), AllKnown);

        Assert.Equal([("FCGI_MPXS_CONNS", "1")], Pairs(record.Content));
    }

    [Fact]
    public void WriteResult_NullValues_AreLeftOut()
    {
        var record = Answer(Query("FCGI_MAX_CONNS", "FCGI_MAX_REQS", "FCGI_MPXS_CONNS"), new ManagementValues(null, null, false));

        Assert.Equal([("FCGI_MPXS_CONNS", "0")], Pairs(record.Content));
    }

    [Fact]
    public void WriteResult_NothingKnownAsked_IsAnEmptyResultRecord()
    {
        var record = Answer([], AllKnown);

        Assert.Equal(new RecordHeader(RecordType.GetValuesResult, 0, 0), record.Header);
    }

    [Fact]
    public void WriteResult_ExtremeValues_AreWrittenInFull()
    {
        var record = Answer(Query("FCGI_MAX_CONNS", "FCGI_MAX_REQS"), new ManagementValues(int.MinValue, int.MaxValue, null));

        Assert.Equal([("FCGI_MAX_CONNS", "-2147483648"), ("FCGI_MAX_REQS", "2147483647")], Pairs(record.Content));
    }

    [Fact]
    public void WriteResult_QuerySplitAtEveryOffset_GivesTheSameAnswer()
    {
        var query = Query("FCGI_MAX_CONNS", "X", "FCGI_MPXS_CONNS");
        foreach (var sequence in Sequences.AllSplits(query))
        {
            var output = new ArrayBufferWriter<byte>();
            GetValues.WriteResult(output, sequence, AllKnown);

            var record = Assert.Single(RecordCollector.ReadAll(output.WrittenSpan.ToArray()));
            Assert.Equal([("FCGI_MAX_CONNS", "10"), ("FCGI_MPXS_CONNS", "1")], Pairs(record.Content));
        }
    }

    [Fact]
    public void WriteResult_TruncatedQuery_ThrowsTruncated()
    {
        var query = Query("FCGI_MAX_CONNS")[..^2];

        var exception = Assert.Throws<NameValueException>(
            () => GetValues.WriteResult(new ArrayBufferWriter<byte>(), new ReadOnlySequence<byte>(query), AllKnown));

        Assert.Equal(NameValueError.Truncated, exception.Error);
    }

    [Fact]
    public void WriteResult_QueryFromTheBuilder_MatchesTheResultBuilder()
    {
        var request = RecordCollector.ReadAll(Records.GetValues("FCGI_MPXS_CONNS", "FCGI_MAX_REQS")).Single();
        var output = new ArrayBufferWriter<byte>();

        GetValues.WriteResult(output, new ReadOnlySequence<byte>(request.Content), AllKnown);

        var expected = RecordCollector.ReadAll(Records.GetValuesResult(("FCGI_MPXS_CONNS", "1"), ("FCGI_MAX_REQS", "50"))).Single();
        var actual = RecordCollector.ReadAll(output.WrittenSpan.ToArray()).Single();
        Assert.Equal(expected.Content, actual.Content);
        Assert.Equal(RecordType.GetValuesResult, actual.Type);
    }

    [Fact]
    public void ParseResult_ReadsTheFixture()
    {
        var content = RecordFixtures.Get("GET_VALUES_RESULT one value").Content;

        Assert.Equal(new ManagementValues(null, null, true), GetValues.ParseResult(new ReadOnlySequence<byte>(content)));
    }

    [Fact]
    public void ParseResult_IgnoresUnknownNamesAndUnparsableValues()
    {
        var content = Records.Concat(
            Records.NameValuePair("FCGI_MAX_CONNS", "many"),
            Records.NameValuePair("FCGI_MAX_REQS", "7"),
            Records.NameValuePair("FCGI_OTHER", "1"),
            Records.NameValuePair("FCGI_MPXS_CONNS", "0"));

        Assert.Equal(new ManagementValues(null, 7, false), GetValues.ParseResult(new ReadOnlySequence<byte>(content)));
    }

    [Fact]
    public void ParseResult_Empty_ReportsNothing()
    {
        Assert.Equal(default, GetValues.ParseResult(ReadOnlySequence<byte>.Empty));
    }

    [Fact]
    public void ParseResult_OfWriteResult_RoundTrips()
    {
        var record = Answer(Query("FCGI_MAX_CONNS", "FCGI_MAX_REQS", "FCGI_MPXS_CONNS"), AllKnown);

        Assert.Equal(AllKnown, GetValues.ParseResult(new ReadOnlySequence<byte>(record.Content)));
    }

    [Fact]
    public void ParseResult_Truncated_Throws()
    {
        var content = Records.NameValuePair("FCGI_MAX_REQS", "7")[..^1];

        Assert.Equal(NameValueError.Truncated,
            Assert.Throws<NameValueException>(() => GetValues.ParseResult(new ReadOnlySequence<byte>(content))).Error);
    }
}
