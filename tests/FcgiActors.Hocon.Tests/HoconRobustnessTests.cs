namespace FcgiActors.Hocon.Tests;

public sealed class HoconRobustnessTests
{
    private const string Sample = """"
        # sample
        fcgi {
          a.b = [1, "two", ${?X}, { c = 3 }] // tail
          s = ${fcgi.a.b} [4]
          t = """triple "quoted"
          text"""
          u = 5 s, v : 64k
          w += x
          include "nothing.conf"
          o = { p = 1 } { q = ${fcgi.u} }
        }
        """";

    private static void ParseOrHoconException(string text)
    {
        try
        {
            HoconReader.Parse(text, "cut.conf", new HoconReaderOptions { EnvironmentVariables = _ => null });
        }
        catch (HoconException)
        {
            // A defined outcome: malformed input is reported with a position.
        }
    }

    [Fact]
    public void Parse_Sample_IsValid()
    {
        var root = HoconReader.Parse(Sample, "sample.conf", new HoconReaderOptions { EnvironmentVariables = _ => null });
        Assert.Equal("[1,\"two\",{\"c\":3},4]", root.GetValue("fcgi.s")!.ToJson(false));
        Assert.Equal("{\"p\":1,\"q\":\"5 s\"}", root.GetValue("fcgi.o")!.ToJson(false));
        Assert.Equal("[\"x\"]", root.GetValue("fcgi.w")!.ToJson(false));
    }

    [Fact]
    public void Parse_EveryPrefixOfADocument_SucceedsOrThrowsHoconException()
    {
        for (var cut = 0; cut <= Sample.Length; cut++)
        {
            ParseOrHoconException(Sample[..cut]);
        }
    }

    [Fact]
    public void Parse_DocumentWithOneCharacterRemovedAnywhere_SucceedsOrThrowsHoconException()
    {
        for (var i = 0; i < Sample.Length; i++)
        {
            ParseOrHoconException(Sample.Remove(i, 1));
        }
    }

    [Fact]
    public void Parse_RandomMutations_SucceedOrThrowHoconException()
    {
        var random = new Random(7);
        const string alphabet = "{}[]:=,+#\"$?.\n \t\\/abc019-e";
        for (var round = 0; round < 2000; round++)
        {
            var chars = Sample.ToCharArray();
            for (var k = 0; k < 3; k++)
            {
                chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
            }
            ParseOrHoconException(new string(chars));
        }
    }
}
