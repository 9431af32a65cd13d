namespace FcgiActors.Hocon.Tests;

public sealed class HoconIncludeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hocon-include-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Json(string file) => HoconReader.ParseFile(file, new HoconReaderOptions { EnvironmentVariables = _ => null }).ToJson(false);

    [Fact]
    public void Include_RelativeName_IsResolvedNextToTheIncludingFile()
    {
        Write("conf/base.conf", "x = 1\ny = 2");
        var main = Write("conf/main.conf", "include \"base.conf\"\ny = 3");
        Assert.Equal("{\"x\":1,\"y\":3}", Json(main));
    }

    [Fact]
    public void Include_FileSyntaxAndNestedDirectories_Work()
    {
        Write("a/b/inner.conf", "z = inner");
        Write("a/mid.conf", "include file(\"b/inner.conf\")\nm = 1");
        var main = Write("main.conf", "top { include file(\"a/mid.conf\") }");
        Assert.Equal("{\"top\":{\"z\":\"inner\",\"m\":1}}", Json(main));
    }

    [Fact]
    public void Include_LaterKeysInIncludingFile_OverrideIncludedOnes_AndObjectsMerge()
    {
        Write("base.conf", "a { x = 1, y = 1 }");
        var main = Write("main.conf", "a { y = 0 }\ninclude \"base\"\na { y = 2 }");
        Assert.Equal("{\"a\":{\"y\":2,\"x\":1}}", Json(main));
    }

    [Fact]
    public void Include_SubstitutionsInIncludedFile_AreFixedUpToTheIncludePoint()
    {
        Write("foo.conf", "x = 10\ny = ${x}");
        var main = Write("main.conf", "a { include \"foo.conf\" }\na { x = 42 }");
        Assert.Equal("{\"a\":{\"x\":42,\"y\":42}}", Json(main));
    }

    [Fact]
    public void Include_SubstitutionNotFoundAtIncludePoint_FallsBackToRootPath()
    {
        Write("foo.conf", "y = ${shared}");
        var main = Write("main.conf", "shared = s\na { include \"foo.conf\" }");
        Assert.Equal("{\"shared\":\"s\",\"a\":{\"y\":\"s\"}}", Json(main));
    }

    [Fact]
    public void Include_MissingFile_IsIgnored()
    {
        var main = Write("main.conf", "include \"nope.conf\"\na = 1");
        Assert.Equal("{\"a\":1}", Json(main));
    }

    [Fact]
    public void Include_MissingRequiredFile_ThrowsAtTheIncludeStatement()
    {
        var main = Write("main.conf", "a = 1\ninclude required(\"nope.conf\")");
        var e = Assert.Throws<HoconException>(() => Json(main));
        Assert.Equal((2, 1), (e.Line, e.Column));
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Include_RequiredFileSyntax_Loads()
    {
        Write("r.conf", "r = 1");
        var main = Write("main.conf", "include required(file(\"r.conf\"))");
        Assert.Equal("{\"r\":1}", Json(main));
    }

    [Fact]
    public void Include_ErrorInIncludedFile_NamesThatFile()
    {
        var bad = Write("bad.conf", "\n  x = [");
        var main = Write("main.conf", "include \"bad.conf\"");
        var e = Assert.Throws<HoconException>(() => Json(main));
        Assert.Equal(bad, e.File);
        Assert.Equal((2, 7), (e.Line, e.Column));
    }

    [Fact]
    public void Include_Cycle_Throws()
    {
        Write("a.conf", "include \"b.conf\"");
        Write("b.conf", "include \"a.conf\"");
        var main = Write("main.conf", "include \"a.conf\"");
        var e = Assert.Throws<HoconException>(() => Json(main));
        Assert.Contains("include cycle", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Include_ArrayRoot_Throws()
    {
        Write("arr.conf", "[1]");
        var main = Write("main.conf", "include \"arr.conf\"");
        Assert.Throws<HoconException>(() => Json(main));
    }
}
