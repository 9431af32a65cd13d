using System.Buffers;
using System.Globalization;

namespace FcgiActors.Protocol;

/// <summary>FCGI_GET_VALUES and FCGI_GET_VALUES_RESULT (§4.1).</summary>
public static class GetValues
{
    private static ReadOnlySpan<byte> MaxConnsName => "FCGI_MAX_CONNS"u8;
    private static ReadOnlySpan<byte> MaxReqsName => "FCGI_MAX_REQS"u8;
    private static ReadOnlySpan<byte> MpxsConnsName => "FCGI_MPXS_CONNS"u8;

    /// <summary>Asks for all three variables, with empty values as §4.1 requires.</summary>
    public static void WriteQuery(IBufferWriter<byte> output)
    {
        using var writer = new ParamsWriter(output, FcgiConstants.NullRequestId, RecordType.GetValues);
        writer.Add(MaxConnsName, default);
        writer.Add(MaxReqsName, default);
        writer.Add(MpxsConnsName, default);
        writer.Complete();
    }

    /// <summary>
    /// Answers a GET_VALUES whose content is <paramref name="query"/>: "the application
    /// responds ... supplying the values of the variables it understands" — each known
    /// variable once, in the order first asked, however often it is repeated; unknown names
    /// are left out. Always one record: the answer is at most three short pairs.
    /// </summary>
    /// <exception cref="NameValueException">The query is not a well-formed name-value list.</exception>
    public static void WriteResult(IBufferWriter<byte> output, in ReadOnlySequence<byte> query, ManagementValues values)
    {
        var asked = new QuerySink();
        using (var decoder = new NameValueDecoder(NameValueLimits.Management, "GET_VALUES"))
        {
            decoder.Decode(query, asked);
            decoder.Complete();
        }

        Span<byte> content = stackalloc byte[128];
        var length = 0;
        Span<byte> digits = stackalloc byte[11];
        foreach (var variable in asked.Order[..asked.Count])
        {
            int? value = variable switch
            {
                Variable.MaxConns => values.MaxConns,
                Variable.MaxReqs => values.MaxReqs,
                _ => values.MpxsConns is null ? null : values.MpxsConns.Value ? 1 : 0,
            };
            if (value is null)
            {
                continue;
            }

            var name = variable switch
            {
                Variable.MaxConns => MaxConnsName,
                Variable.MaxReqs => MaxReqsName,
                _ => MpxsConnsName,
            };
            value.Value.TryFormat(digits, out var written, provider: CultureInfo.InvariantCulture);
            length += NameValueCodec.Write(content[length..], name, digits[..written]);
        }

        RecordWriter.WriteRecord(output, RecordType.GetValuesResult, FcgiConstants.NullRequestId, content[..length]);
    }

    /// <summary>Reads a GET_VALUES_RESULT body; unknown names and unparsable values are ignored.</summary>
    /// <exception cref="NameValueException">The body is not a well-formed name-value list.</exception>
    public static ManagementValues ParseResult(in ReadOnlySequence<byte> content)
    {
        var sink = new ResultSink();
        using var decoder = new NameValueDecoder(NameValueLimits.Management, "GET_VALUES_RESULT");
        decoder.Decode(content, sink);
        decoder.Complete();
        return sink.Values;
    }

    private enum Variable : byte { MaxConns, MaxReqs, MpxsConns }

    private sealed class QuerySink : INameValueSink
    {
        public readonly Variable[] Order = new Variable[3];
        public int Count;

        public void OnPair(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        {
            Variable variable;
            if (name.SequenceEqual(MaxConnsName)) variable = Variable.MaxConns;
            else if (name.SequenceEqual(MaxReqsName)) variable = Variable.MaxReqs;
            else if (name.SequenceEqual(MpxsConnsName)) variable = Variable.MpxsConns;
            else return;

            if (Array.IndexOf(Order, variable, 0, Count) < 0)
            {
                Order[Count++] = variable;
            }
        }
    }

    private sealed class ResultSink : INameValueSink
    {
        public ManagementValues Values;

        public void OnPair(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        {
            if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
            {
                return;
            }

            if (name.SequenceEqual(MaxConnsName)) Values = Values with { MaxConns = number };
            else if (name.SequenceEqual(MaxReqsName)) Values = Values with { MaxReqs = number };
            else if (name.SequenceEqual(MpxsConnsName)) Values = Values with { MpxsConns = number != 0 };
        }
    }
}
