using System.Text;
using FcgiActors.Protocol;
using FcgiActors.Testing;

namespace FcgiActors.Responder.Tests.Support;

/// <summary>Assertions over the records of one request.</summary>
public static class Responses
{
    public static string Stdout(List<CollectedRecord> records, ushort id) =>
        Encoding.UTF8.GetString(RecordCollector.StreamContent(records, RecordType.Stdout, id));

    public static EndRequestBody SingleEnd(List<CollectedRecord> records, ushort id)
    {
        var ends = records.Where(r => r.Type == RecordType.EndRequest && r.RequestId == id).ToList();
        Assert.Single(ends);
        return EndRequestBody.Parse(ends[0].Content);
    }

    /// <summary>END_REQUEST is the last record of the request: nothing of it follows.</summary>
    public static void EndIsLast(List<CollectedRecord> records, ushort id)
    {
        var mine = records.Where(r => r.RequestId == id).ToList();
        Assert.Equal(RecordType.EndRequest, mine[^1].Type);
        Assert.Single(mine, r => r.Type == RecordType.EndRequest);
    }
}
