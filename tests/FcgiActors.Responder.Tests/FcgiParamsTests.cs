using System.Text;

namespace FcgiActors.Responder.Tests;

public sealed class FcgiParamsTests
{
    private static FcgiParams Build(params (string Name, string Value)[] pairs)
    {
        var builder = new FcgiParams.Builder();
        foreach (var (name, value) in pairs)
        {
            builder.OnPair(Encoding.UTF8.GetBytes(name), Encoding.UTF8.GetBytes(value));
        }

        return builder.Build();
    }

    private static (string, string) Text(KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>> pair) =>
        (Encoding.UTF8.GetString(pair.Key.Span), Encoding.UTF8.GetString(pair.Value.Span));

    [Fact]
    public void Raw_ByIndexAndEnumerated_GivesEveryPairInOrder_DuplicatesAndEmptyValuesIncluded()
    {
        (string, string)[] pairs = [("SCRIPT_NAME", "/x"), ("EMPTY", ""), ("SCRIPT_NAME", "/second"), ("Ünï", "cödé")];
        var parameters = Build(pairs);

        var raw = parameters.Raw;

        Assert.Equal(4, raw.Count);
        Assert.Equal(pairs, Enumerable.Range(0, raw.Count).Select(i => Text(raw[i])));
        Assert.Equal(pairs, raw.Select(Text));
        Assert.Same(raw, parameters.Raw);
        Assert.Equal("/x", parameters.Get("SCRIPT_NAME")); // first one wins for lookups
    }

    [Fact]
    public void Raw_IndexOutOfRange_Throws()
    {
        var raw = Build(("A", "1")).Raw;

        Assert.Throws<ArgumentOutOfRangeException>(() => raw[1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => raw[-1]);
        Assert.Empty(FcgiParams.Empty.Raw);
    }
}
