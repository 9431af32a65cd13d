namespace FcgiActors.Hocon.Tests;

public sealed class HoconSyntaxEdgeTests
{
    private static readonly HoconReaderOptions NoEnvironment = new() { EnvironmentVariables = _ => null };

    private static string Json(string hocon) => HoconReader.Parse(hocon, "edge.conf", NoEnvironment).ToJson(indented: false);

    [Theory]
    [InlineData("a = 1\r\nb = 2\r\n", "{\"a\":1,\"b\":2}")]
    [InlineData("\uFEFFa = 1", "{\"a\":1}")]
    [InlineData("a\u00A0=\u2003x\u00A0y", "{\"a\":\"x\u00A0y\"}")]
    [InlineData("a = [x y, z]", "{\"a\":[\"x y\",\"z\"]}")]
    [InlineData("a = [\n  1 # one\n  2 // two\n]", "{\"a\":[1,2]}")]
    [InlineData("include\n  \"nothing-here.conf\"\na = 1", "{\"a\":1}")]
    [InlineData("a { }\nb {}", "{\"a\":{},\"b\":{}}")]
    [InlineData("a = {}, a.b = 1", "{\"a\":{\"b\":1}}")]
    [InlineData("a = \"\"", "{\"a\":\"\"}")]
    [InlineData("a = -", "{\"a\":\"-\"}")]
    [InlineData("a = 1.5.3", "{\"a\":\"1.5.3\"}")]
    [InlineData("a = --x", "{\"a\":\"--x\"}")]
    [InlineData("\"\" = 1", "{\"\":1}")]
    public void Parse_EdgeCases_FollowTheSpec(string input, string expected) => Assert.Equal(expected, Json(input));

    [Fact]
    public void ToJson_Indented_IsStableAndValidJson()
    {
        var json = HoconReader.Parse("a { b = [1, {c = x}] }, d = {}", "t", NoEnvironment).ToJson();
        Assert.Equal("{\n  \"a\": {\n    \"b\": [\n      1,\n      {\n        \"c\": \"x\"\n      }\n    ]\n  },\n  \"d\": {}\n}", json);
        using var _ = System.Text.Json.JsonDocument.Parse(json);
    }

    [Fact]
    public void ToJson_EscapesControlCharacters()
        => Assert.Equal("{\"a\":\"\\u0001\\t\\\"\"}", Json("a = \"\\u0001\\t\\\"\""));

    [Fact]
    public void TypedTree_KeepsKindsTextAndOrigin()
    {
        var root = HoconReader.Parse("x {\n  t = 100 ms\n  n = 1e3\n  s = \"64k\"\n  b = false\n  z = null\n}", "typed.conf", NoEnvironment);
        var t = Assert.IsType<HoconScalar>(root.GetValue("x.t"));
        Assert.Equal((HoconValueKind.String, "100 ms", TimeSpan.FromMilliseconds(100)), (t.Kind, t.Text, t.AsDuration()));
        Assert.Equal("typed.conf:2:7", t.Origin);
        Assert.Equal(HoconValueKind.Number, root.GetValue("x.n")!.Kind);
        Assert.Equal(65_536, ((HoconScalar)root.GetValue("x.s")!).AsSize());
        Assert.Equal(HoconValueKind.Boolean, root.GetValue("x.b")!.Kind);
        Assert.Equal(HoconValueKind.Null, root.GetValue("x.z")!.Kind);
        Assert.Null(root.GetValue("x.missing"));
        Assert.Null(root.GetValue("x.t.deeper"));
    }

    [Fact]
    public void Parse_LayeredSources_LaterOverridesAndSelfReferencesEarlier()
    {
        var root = HoconReader.Parse(
        [
            new HoconSource("a { list = [1], s = x, o { p = 1 } }", "reference.conf"),
            new HoconSource("a { list += 2, s = ${a.s}y, o { q = 2 } }", "app.conf"),
        ], NoEnvironment);
        Assert.Equal("{\"a\":{\"list\":[1,2],\"s\":\"xy\",\"o\":{\"p\":1,\"q\":2}}}", root.ToJson(false));
    }

    [Fact]
    public void Parse_ObjectReferringIntoItself_IsNotACycle()
        => Assert.Equal("{\"a\":{\"x\":1,\"y\":{\"z\":1}}}", Json("a { x = 1, y { z = ${a.x} } }"));

    [Fact]
    public void Parse_SelfReferenceThroughAnotherField_IsACycle()
    {
        var e = Assert.Throws<HoconException>(() => Json("a = ${b}\nb = ${c}\nc = ${a}"));
        Assert.Contains("cycle", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RequiredSelfReferenceWithoutPreviousValue_Throws()
    {
        var e = Assert.Throws<HoconException>(() => Json("a = ${a} x"));
        Assert.Equal((1, 5), (e.Line, e.Column));
    }

    [Fact]
    public void Parse_DeepNesting_DoesNotOverflow()
    {
        var depth = 200;
        var text = string.Concat(Enumerable.Repeat("a { ", depth)) + "x = 1" + new string('}', depth);
        var root = HoconReader.Parse(text, "deep", NoEnvironment);
        Assert.NotNull(root.GetValue(string.Join('.', Enumerable.Repeat("a", depth)) + ".x"));
    }
}
