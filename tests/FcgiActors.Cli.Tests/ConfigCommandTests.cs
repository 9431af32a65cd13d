using System.Text.Json;

namespace FcgiActors.Cli.Tests;

public sealed class ConfigCommandTests
{
    private const string Sample = """
        fcgi.logging.level = debug
        fcgi.sample {
          port = 9000
          ratio = 0.5
          enabled = true
          nothing = null
          timeout = 5s
          window = 64k
          listen = "127.0.0.1:9000"
          list = [1, "two", false]
          nested { a = ${fcgi.sample.port} }
        }
        """;

    [Fact]
    public async Task Config_WithFile_PrintsTypedJson()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("app.conf", Sample);
        var (code, output, error) = await CliRunner.RunAsync("config", "--config", file);
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var sample = json.RootElement.GetProperty("fcgi").GetProperty("sample");
        Assert.Equal(9000, sample.GetProperty("port").GetInt32());
        Assert.Equal(0.5, sample.GetProperty("ratio").GetDouble());
        Assert.Equal(JsonValueKind.True, sample.GetProperty("enabled").ValueKind);
        Assert.Equal(JsonValueKind.Null, sample.GetProperty("nothing").ValueKind);
        Assert.Equal("5s", sample.GetProperty("timeout").GetString());
        Assert.Equal("64k", sample.GetProperty("window").GetString());
        Assert.Equal("127.0.0.1:9000", sample.GetProperty("listen").GetString());
        Assert.Equal("[1,\"two\",false]", JsonSerializer.Serialize(sample.GetProperty("list")));
        Assert.Equal(9000, sample.GetProperty("nested").GetProperty("a").GetInt32());
        // The file merges over the built-in reference.conf.
        var logging = json.RootElement.GetProperty("fcgi").GetProperty("logging");
        Assert.Equal("debug", logging.GetProperty("level").GetString());
        Assert.Equal("plain", logging.GetProperty("format").GetString());
        Assert.Equal(JsonValueKind.False, logging.GetProperty("trace-records").ValueKind);
    }

    [Fact]
    public async Task Config_Subtree_PrintsOnlyThatPath()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("app.conf", Sample);
        var (code, output, _) = await CliRunner.RunAsync("config", "-c", file, "fcgi.sample.list");
        Assert.Equal(0, code);
        Assert.Equal("[1,\"two\",false]", JsonSerializer.Serialize(JsonDocument.Parse(output).RootElement));
    }

    [Fact]
    public async Task Config_SetOverride_WinsAndKeepsTheReplacedType()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("app.conf", Sample);
        var (code, output, _) = await CliRunner.RunAsync("config", "-c", file, "--set", "fcgi.sample.port=9100", "--set", "fcgi.sample.listen=9", "fcgi.sample");
        Assert.Equal(0, code);
        var sample = JsonDocument.Parse(output).RootElement;
        Assert.Equal(9100, sample.GetProperty("port").GetInt32());
        Assert.Equal("9", sample.GetProperty("listen").GetString());
    }

    [Fact]
    public async Task Config_Keys_PrintsOneLinePerKey()
    {
        var (code, output, _) = await CliRunner.RunAsync("config", "--keys", "fcgi.logging.file");
        Assert.Equal(0, code);
        Assert.Contains("fcgi.logging.file.size-limit = 100MiB", output, StringComparison.Ordinal);
        Assert.DoesNotContain("fcgi.logging.level", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_SyntaxError_Exits78NamingFileLineColumn()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("bad.conf", "fcgi {\n  a = [1,,2]\n}");
        var (code, output, error) = await CliRunner.RunAsync("config", "--config", file);
        Assert.Equal(ExitCodes.Config, code);
        Assert.Equal("", output);
        Assert.Equal($"fcgi: configuration error: {file}:2:10: two commas in a row", error.TrimEnd());
    }

    [Fact]
    public async Task Config_UnresolvedSubstitution_Exits78()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("bad.conf", "a = ${fcgi.nope}");
        var (code, _, error) = await CliRunner.RunAsync("config", "--config", file);
        Assert.Equal(ExitCodes.Config, code);
        Assert.StartsWith($"fcgi: configuration error: {file}:1:5: could not resolve substitution ${{fcgi.nope}}", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_InvalidValue_Exits78NamingHoconPathAndPosition()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("bad.conf", "fcgi.logging {\n  level = loud\n}");
        var (code, _, error) = await CliRunner.RunAsync("config", "--config", file);
        Assert.Equal(ExitCodes.Config, code);
        Assert.Contains("fcgi.logging.level: \"loud\" is not a log level", error, StringComparison.Ordinal);
        Assert.Contains($"(at {file}:2:11)", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Config_InvalidValueFromSet_Exits78NamingHoconPath()
    {
        var (code, _, error) = await CliRunner.RunAsync("config", "--set", "fcgi.logging.file.size-limit=huge");
        Assert.Equal(ExitCodes.Config, code);
        Assert.Contains("fcgi.logging.file.size-limit: \"huge\" is not a size", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_MissingFile_Exits66()
    {
        var (code, _, error) = await CliRunner.RunAsync("config", "--config", "/nonexistent/fcgi.conf");
        Assert.Equal(ExitCodes.NoInput, code);
        Assert.StartsWith("fcgi: cannot read config file /nonexistent/fcgi.conf", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_UnknownSubtree_Exits78()
    {
        var (code, _, error) = await CliRunner.RunAsync("config", "fcgi.nope");
        Assert.Equal(ExitCodes.Config, code);
        Assert.Contains("fcgi.nope: no such key", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_MalformedSet_Exits64()
    {
        var (code, _, error) = await CliRunner.RunAsync("config", "--set", "novalue");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--set expects PATH=VALUE", error, StringComparison.Ordinal);
    }
}
