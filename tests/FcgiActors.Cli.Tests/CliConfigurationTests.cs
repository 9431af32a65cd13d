using System.Collections;
using FcgiActors.Hocon;
using Microsoft.Extensions.Configuration;

namespace FcgiActors.Cli.Tests;

public sealed class CliConfigurationTests
{
    [Fact]
    public void Load_WithoutFile_GivesReferenceDefaults()
    {
        var root = CliConfiguration.Load(null, [], new Hashtable());
        Assert.Equal("warning", root["fcgi:logging:level"]);
    }

    [Fact]
    public void Load_LayersFileThenEnvironmentThenOverrides()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("app.conf", "fcgi.logging { level = info, format = json, sink = file }");
        var env = new Hashtable { ["FCGI__LOGGING__FORMAT"] = "plain", ["FCGI__LOGGING__TRACE_RECORDS"] = "true", ["FCGI__LOGGING__SINK"] = "console" };
        var root = CliConfiguration.Load(file, ["fcgi.logging.sink=file"], env);
        Assert.Equal("info", root["fcgi:logging:level"]);      // file over reference
        Assert.Equal("plain", root["fcgi:logging:format"]);    // environment over file
        Assert.Equal("true", root["fcgi:logging:trace-records"]);
        Assert.Equal("file", root["fcgi:logging:sink"]);       // --set over environment
    }

    [Fact]
    public void Load_ScalarFromEnvironmentOrSet_ReplacesAWholeHoconList()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("app.conf", "fcgi.x { listen = [a, b], other = [c, d] }");
        var root = CliConfiguration.Load(file, ["fcgi.x.other=e"], new Hashtable { ["FCGI__X__LISTEN"] = "z" });
        Assert.Equal(["z"], root.GetSection("fcgi:x").GetStringList("listen", []));
        Assert.Equal(["e"], root.GetSection("fcgi:x").GetStringList("other", []));
    }

    [Fact]
    public void Load_ListElementFromEnvironment_ReplacesOnlyThatElement()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("app.conf", "fcgi.x.listen = [a, b]");
        var root = CliConfiguration.Load(file, [], new Hashtable { ["FCGI__X__LISTEN__1"] = "z" });
        Assert.Equal(["a", "z"], root.GetSection("fcgi:x").GetStringList("listen", []));
    }

    [Fact]
    public void Load_ConfigFileFromEnvironmentVariable_IsUsedWhenNoOption()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("app.conf", "fcgi.logging.level = error");
        var root = CliConfiguration.Load(null, [], new Hashtable { ["FCGI_CONFIG"] = file });
        Assert.Equal("error", root["fcgi:logging:level"]);
    }

    [Fact]
    public void Load_FileMayReferToAndExtendReferenceValues()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("app.conf", "my.level = ${fcgi.logging.level}\nfcgi.logging.file.path = ${fcgi.logging.file.path}.1");
        var root = CliConfiguration.Load(file, [], new Hashtable());
        Assert.Equal("warning", root["my:level"]);
        Assert.Equal("fcgi.log.1", root["fcgi:logging:file:path"]);
    }

    [Fact]
    public void Load_SubstitutionFromEnvironment_Resolves()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("app.conf", "fcgi.logging.file.path = ${LOG_DIR}/fcgi.log");
        var root = CliConfiguration.Load(file, [], new Hashtable { ["LOG_DIR"] = "/var/log" });
        Assert.Equal("/var/log/fcgi.log", root["fcgi:logging:file:path"]);
    }

    [Fact]
    public void EmbeddedReference_IsTheRepositoryFile()
    {
        var onDisk = File.ReadAllText(Path.Combine(CliRunner.RepoRoot(), "hocon", "reference.conf"));
        Assert.Equal(onDisk, CliConfiguration.ReferenceText());
    }

    [Fact]
    public async Task Examples_AllPassFcgiConfig()
    {
        var examples = Directory.GetFiles(Path.Combine(CliRunner.RepoRoot(), "hocon", "examples"), "*.conf");
        Assert.NotEmpty(examples);
        foreach (var example in examples)
        {
            // `fcgi config` binds every area's settings: an example with a wrong key value fails here.
            var (code, output, error) = await CliRunner.RunAsync("config", "--config", example);
            Assert.True(code == 0, $"{example}: {error}");
            Assert.StartsWith("{", output, StringComparison.Ordinal);
        }
    }
}
