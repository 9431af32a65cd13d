namespace FcgiActors.Hocon.Tests;

public sealed class HoconReaderTests
{
    private static readonly HoconReaderOptions NoEnvironment = new() { EnvironmentVariables = _ => null };

    private static string Json(string hocon, HoconReaderOptions? options = null)
        => HoconReader.Parse(hocon, "test.conf", options ?? NoEnvironment).ToJson(indented: false);

    [Theory]
    [InlineData("{\"a\": 1, \"b\": [true, false, null], \"c\": {\"d\": \"x\"}}", "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"x\"}}")]
    [InlineData("{\"n\": -1.5e3, \"s\": \"\\u0041\\n\\t\\\"\"}", "{\"n\":-1.5e3,\"s\":\"A\\n\\t\\\"\"}")]
    [InlineData("{ }", "{}")]
    [InlineData("", "{}")]
    public void Parse_Json_GivesSameTree(string input, string expected) => Assert.Equal(expected, Json(input));

    [Theory]
    [InlineData("a = 1 # comment\nb = 2 // another", "{\"a\":1,\"b\":2}")]
    [InlineData("# only a comment", "{}")]
    [InlineData("a = \"# not a comment\"", "{\"a\":\"# not a comment\"}")]
    [InlineData("a = x//comment", "{\"a\":\"x\"}")]
    public void Parse_Comments_AreIgnoredOutsideQuotes(string input, string expected) => Assert.Equal(expected, Json(input));

    [Theory]
    [InlineData("a = 1", "{\"a\":1}")]
    [InlineData("a : 1", "{\"a\":1}")]
    [InlineData("a { b = 1 }", "{\"a\":{\"b\":1}}")]
    [InlineData("a = 1, b = 2,", "{\"a\":1,\"b\":2}")]
    [InlineData("a = 1\nb = 2\n", "{\"a\":1,\"b\":2}")]
    [InlineData("{ a = 1 }", "{\"a\":1}")]
    [InlineData("a =\n  1", "{\"a\":1}")]
    public void Parse_Separators_AreOptionalWhereHoconSays(string input, string expected) => Assert.Equal(expected, Json(input));

    [Theory]
    [InlineData("a = foo bar  baz", "{\"a\":\"foo bar  baz\"}")]
    [InlineData("a = 5s", "{\"a\":\"5s\"}")]
    [InlineData("a = 100 ms", "{\"a\":\"100 ms\"}")]
    [InlineData("a = 1 MiB", "{\"a\":\"1 MiB\"}")]
    [InlineData("a = true", "{\"a\":true}")]
    [InlineData("a = truefoo", "{\"a\":\"truefoo\"}")]
    [InlineData("a = true foo", "{\"a\":\"true foo\"}")]
    [InlineData("a = null", "{\"a\":null}")]
    [InlineData("a = 10.0bar", "{\"a\":\"10.0bar\"}")]
    [InlineData("a = 1e+5", "{\"a\":1e+5}")]
    [InlineData("a = 0.5", "{\"a\":0.5}")]
    [InlineData("a = 007", "{\"a\":\"007\"}")]
    [InlineData("a = \"foo\"bar\" baz\"", "{\"a\":\"foobar baz\"}")]
    [InlineData("a = 127.0.0.1:9000", "{\"a\":\"127.0.0.1\"}")]
    [InlineData("a = /var/run/app.sock", "{\"a\":\"/var/run/app.sock\"}")]
    public void Parse_UnquotedAndConcatenatedValues_AreTypedOnlyWhenSingle(string input, string expected)
    {
        if (input.Contains("127.0.0.1:", StringComparison.Ordinal))
        {
            // ':' is forbidden in unquoted strings: the value ends and the rest is an error.
            Assert.Throws<HoconException>(() => Json(input));
            return;
        }
        Assert.Equal(expected, Json(input));
    }

    [Fact]
    public void Parse_TripleQuotedString_KeepsNewlinesAndQuotes()
    {
        Assert.Equal("{\"a\":\"line1\\n\\\"q\\\" \\\\n\"}", Json("a = \"\"\"line1\n\"q\" \\n\"\"\""));
        Assert.Equal("{\"a\":\"x\\\"\\\"\"}", Json("a = \"\"\"x\"\"\"\"\""));
    }

    [Theory]
    [InlineData("a.b.c = 1", "{\"a\":{\"b\":{\"c\":1}}}")]
    [InlineData("a.b = 1, a.c = 2", "{\"a\":{\"b\":1,\"c\":2}}")]
    [InlineData("\"a.b\" = 1", "{\"a.b\":1}")]
    [InlineData("a.\"b.c\".d = 1", "{\"a\":{\"b.c\":{\"d\":1}}}")]
    [InlineData("a b c = 1", "{\"a b c\":1}")]
    [InlineData("10.0foo = 1", "{\"10\":{\"0foo\":1}}")]
    [InlineData("true = 1", "{\"true\":1}")]
    [InlineData("a.\"\".b = 1", "{\"a\":{\"\":{\"b\":1}}}")]
    [InlineData("foo include = 1", "{\"foo include\":1}")]
    [InlineData("\"include\" = 1", "{\"include\":1}")]
    public void Parse_PathKeys_ExpandToNestedObjects(string input, string expected) => Assert.Equal(expected, Json(input));

    [Theory]
    [InlineData("foo { a = 42 }, foo { b = 43 }", "{\"foo\":{\"a\":42,\"b\":43}}")]
    [InlineData("foo { a = 42 }, foo = null, foo { b = 43 }", "{\"foo\":{\"b\":43}}")]
    [InlineData("a = 1, a = 2", "{\"a\":2}")]
    [InlineData("a { x { y = 1, z = 2 } }, a.x.z = 3", "{\"a\":{\"x\":{\"y\":1,\"z\":3}}}")]
    [InlineData("a = { x = 1 }, a = 5", "{\"a\":5}")]
    public void Parse_DuplicateKeys_MergeObjectsAndOverrideOthers(string input, string expected) => Assert.Equal(expected, Json(input));

    [Theory]
    [InlineData("a = [1, 2, 3,]", "{\"a\":[1,2,3]}")]
    [InlineData("a = [\n1\n2\n]", "{\"a\":[1,2]}")]
    [InlineData("a = [1] [2, 3]", "{\"a\":[1,2,3]}")]
    [InlineData("a = [1], a += 2", "{\"a\":[1,2]}")]
    [InlineData("a += 1, a += x", "{\"a\":[1,\"x\"]}")]
    [InlineData("a = [{ x = 1 }, { y = [] }]", "{\"a\":[{\"x\":1},{\"y\":[]}]}")]
    [InlineData("b = [1], a = ${b} [2]", "{\"b\":[1],\"a\":[1,2]}")]
    [InlineData("b { x = 1 }, a = ${b} { y = 2 }", "{\"b\":{\"x\":1},\"a\":{\"x\":1,\"y\":2}}")]
    [InlineData("a = { x = 1 } { y = 2 }", "{\"a\":{\"x\":1,\"y\":2}}")]
    public void Parse_ArraysAndObjects_Concatenate(string input, string expected) => Assert.Equal(expected, Json(input));

    [Theory]
    [InlineData("a = 1, b = ${a}", "{\"a\":1,\"b\":1}")]
    [InlineData("b = ${a}, a = 1", "{\"b\":1,\"a\":1}")]
    [InlineData("a { x = 1 }, b = ${a}", "{\"a\":{\"x\":1},\"b\":{\"x\":1}}")]
    [InlineData("a = x, b = ${a} y ${a}", "{\"a\":\"x\",\"b\":\"x y x\"}")]
    [InlineData("a = 1, b = \"v\"${a}", "{\"a\":1,\"b\":\"v1\"}")]
    [InlineData("a = null, b = x${a}y", "{\"a\":null,\"b\":\"xy\"}")]
    [InlineData("bar { foo = 42, baz = ${bar.foo} }", "{\"bar\":{\"foo\":42,\"baz\":42}}")]
    [InlineData("a = 1, a = ${?missing}", "{\"a\":1}")]
    [InlineData("a = ${?missing}", "{}")]
    [InlineData("a = [1, ${?missing}, 2]", "{\"a\":[1,2]}")]
    [InlineData("a = 1, b = ${a}, a = 2", "{\"a\":2,\"b\":2}")]
    [InlineData("a { x = 1 }, a { y = ${a.x} }", "{\"a\":{\"x\":1,\"y\":1}}")]
    [InlineData("b { x = 0, z = 9 }, a = ${b} { x = 1, y = ${a.x}, w = ${a.z} }", "{\"b\":{\"x\":0,\"z\":9},\"a\":{\"x\":1,\"z\":9,\"y\":1,\"w\":9}}")]
    [InlineData("a = ${?nope}, a { x = 1, y = ${a.x} }", "{\"a\":{\"x\":1,\"y\":1}}")]
    [InlineData("a { o { p = 1 } }, a = ${?nope} { o { q = ${a.o.p} } }", "{\"a\":{\"o\":{\"p\":1,\"q\":1}}}")]
    [InlineData("a { x = 1 }, a = 5, b = ${a}", "{\"a\":5,\"b\":5}")]
    public void Parse_Substitutions_ResolveAgainstTheFinalTree(string input, string expected) => Assert.Equal(expected, Json(input));

    [Theory]
    [InlineData("path = a, path = ${path}\":b\"", "{\"path\":\"a:b\"}")]
    [InlineData("a = 1, a = ${a}", "{\"a\":1}")]
    [InlineData("a = [1], a = ${a} [2], a = ${a} [3]", "{\"a\":[1,2,3]}")]
    [InlineData("a { x = 1 }, a = ${a} { y = 2 }", "{\"a\":{\"x\":1,\"y\":2}}")]
    [InlineData("foo { a = 1 }, foo = ${foo.a}", "{\"foo\":1}")]
    [InlineData("a = ${?a} x", "{\"a\":\" x\"}")]
    [InlineData("a = ${?a}x", "{\"a\":\"x\"}")]
    [InlineData("a = x ${?nope} y", "{\"a\":\"x  y\"}")]
    [InlineData("a = ${?nope} ${?nope2}", "{}")]
    [InlineData("x { a = 1 }, x { a = ${x.a}2 }", "{\"x\":{\"a\":\"12\"}}")]
    [InlineData("b = 5, a = ${b}, a = ${a}0", "{\"b\":5,\"a\":\"50\"}")]
    public void Parse_SelfReference_SeesThePreviousValue(string input, string expected) => Assert.Equal(expected, Json(input));

    [Fact]
    public void Parse_SubstitutionMissingFromConfig_UsesEnvironment()
    {
        var options = new HoconReaderOptions { EnvironmentVariables = n => n == "HOME_DIR" ? "/home/x" : null };
        Assert.Equal("{\"a\":\"/home/x/y\",\"b\":\"/home/x\"}", Json("a = ${HOME_DIR}/y, b = ${?HOME_DIR}", options));
    }

    [Fact]
    public void Parse_SubstitutionSetToNullInConfig_DoesNotUseEnvironment()
    {
        var options = new HoconReaderOptions { EnvironmentVariables = _ => "env" };
        Assert.Equal("{\"V\":null,\"a\":null}", Json("V = null, a = ${V}", options));
    }

    [Fact]
    public void Parse_SelfReferenceWithoutPreviousValue_UsesEnvironment()
    {
        var options = new HoconReaderOptions { EnvironmentVariables = n => n == "PATH" ? "/bin" : null };
        Assert.Equal("{\"PATH\":\"/bin:/opt\"}", Json("PATH = ${?PATH}\":/opt\"", options));
    }

    [Fact]
    public void Parse_EnvironmentValue_IsAString()
    {
        var options = new HoconReaderOptions { EnvironmentVariables = n => n == "PORT" ? "9000" : null };
        Assert.Equal("{\"port\":\"9000\"}", Json("port = ${PORT}", options));
    }
}
