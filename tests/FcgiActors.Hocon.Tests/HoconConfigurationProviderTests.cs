using System.Collections;
using Microsoft.Extensions.Configuration;

namespace FcgiActors.Hocon.Tests;

public sealed class HoconConfigurationProviderTests
{
    private const string Sample = """
        fcgi {
          proxy {
            listen = "127.0.0.1:9000"
            queue-timeout = 5s
            backends = [ "a:1", "b:2" ]
            spawn { enabled = false, count = 4 }
            nothing = null
            none = []
          }
        }
        """;

    [Fact]
    public void AddHoconString_FlattensObjectsWithColonsAndArraysWithIndexes()
    {
        var config = new ConfigurationBuilder().AddHoconString(Sample).Build();
        Assert.Equal("127.0.0.1:9000", config["fcgi:proxy:listen"]);
        Assert.Equal("5s", config["fcgi:proxy:queue-timeout"]);
        Assert.Equal("a:1", config["fcgi:proxy:backends:0"]);
        Assert.Equal("b:2", config["fcgi:proxy:backends:1"]);
        Assert.Equal("false", config["fcgi:proxy:spawn:enabled"]);
        Assert.Equal("4", config["fcgi:proxy:spawn:count"]);
        Assert.Null(config["fcgi:proxy:nothing"]);
        Assert.Equal("", config["fcgi:proxy:none"]);
    }

    [Fact]
    public void EnvironmentVariablesAddedLater_OverrideHoconTheDotNetWay()
    {
        var env = new Hashtable
        {
            ["FCGI__PROXY__LISTEN"] = "0.0.0.0:9001",
            ["FCGI__PROXY__QUEUE_TIMEOUT"] = "10s",
            ["FCGI__PROXY__BACKENDS__1"] = "c:3",
            ["OTHER__PROXY__LISTEN"] = "ignored",
        };
        var config = new ConfigurationBuilder()
            .AddHoconString(Sample)
            .Add(new KebabEnvironmentVariablesConfigurationSource("FCGI__", () => env))
            .AddCommandLine(["--fcgi:proxy:spawn:count=8"])
            .Build();
        Assert.Equal("0.0.0.0:9001", config["fcgi:proxy:listen"]);
        Assert.Equal("10s", config["fcgi:proxy:queue-timeout"]);
        Assert.Equal("c:3", config["fcgi:proxy:backends:1"]);
        Assert.Equal("8", config["fcgi:proxy:spawn:count"]);
        Assert.Equal(["a:1", "c:3"], config.GetSection("fcgi:proxy").GetStringList("backends", []));
    }

    [Fact]
    public void StandardEnvironmentVariables_OverrideKeysWithoutDashes()
    {
        const string name = "FCGI_HOCON_TEST__PROXY__LISTEN";
        Environment.SetEnvironmentVariable(name, "10.0.0.1:1");
        try
        {
            var config = new ConfigurationBuilder()
                .AddHoconString("fcgi_hocon_test.proxy.listen = x")
                .AddEnvironmentVariables()
                .Build();
            Assert.Equal("10.0.0.1:1", config["fcgi_hocon_test:proxy:listen"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void AddHoconFile_ResolvesIncludesNextToTheFile()
    {
        var dir = Directory.CreateTempSubdirectory("hocon-provider-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "inc.conf"), "b = 2");
            File.WriteAllText(Path.Combine(dir, "main.conf"), "a = 1\ninclude \"inc.conf\"");
            var config = new ConfigurationBuilder().AddHoconFile(Path.Combine(dir, "main.conf")).Build();
            Assert.Equal("1", config["a"]);
            Assert.Equal("2", config["b"]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AddHoconFile_BadFile_ThrowsHoconExceptionNamingThePhysicalFile()
    {
        var dir = Directory.CreateTempSubdirectory("hocon-provider-").FullName;
        try
        {
            var file = Path.Combine(dir, "bad.conf");
            File.WriteAllText(file, "a = 1\nb = ${nope}");
            var e = Assert.Throws<HoconException>(() => new ConfigurationBuilder().AddHoconFile(file).Build());
            Assert.Equal((file, 2, 5), (e.File, e.Line, e.Column));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AddHoconFile_MissingOptionalFile_IsEmpty_AndMissingRequiredThrows()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "x.conf");
        var config = new ConfigurationBuilder().AddHoconFile(missing, optional: true).Build();
        Assert.Empty(config.AsEnumerable());
        Assert.Throws<FileNotFoundException>(() => new ConfigurationBuilder().AddHoconFile(missing).Build());
    }

    [Fact]
    public void AddHoconStream_And_AddHoconResource_Load()
    {
        using var stream = new MemoryStream("a.b = 1"u8.ToArray());
        var config = new ConfigurationBuilder().AddHoconStream(stream).Build();
        Assert.Equal("1", config["a:b"]);
        Assert.Throws<FileNotFoundException>(() => new ConfigurationBuilder().AddHoconResource(typeof(HoconReader).Assembly, "nope.conf"));
        Assert.Empty(new ConfigurationBuilder().AddHoconResource(typeof(HoconReader).Assembly, "nope.conf", optional: true).Build().AsEnumerable());
    }

    [Fact]
    public void AddHoconSources_LaterSourceOverridesAndRefersToEarlierOne()
    {
        var config = new ConfigurationBuilder().AddHoconSources(
        [
            new HoconSource("a { x = 1, list = [1] }", "reference.conf"),
            new HoconSource("a { y = ${a.x}, list += 2 }", "app.conf"),
        ]).Build();
        Assert.Equal("1", config["a:x"]);
        Assert.Equal("1", config["a:y"]);
        Assert.Equal("2", config["a:list:1"]);
    }

    [Fact]
    public void AddHoconString_BadText_ThrowsHoconExceptionWithPosition()
    {
        var e = Assert.Throws<HoconException>(() => new ConfigurationBuilder().AddHoconString("a = [", "app.conf").Build());
        Assert.StartsWith("app.conf:1:5:", e.Message, StringComparison.Ordinal);
    }
}
