using FcgiActors.Client.Bridge;

namespace FcgiActors.Client.Tests.Bridge;

public sealed class CgiFcgiArgumentsTests
{
    private static (CgiFcgiArguments? Parsed, string Errors) Parse(params string[] args)
    {
        var errors = new StringWriter { NewLine = "\n" };
        return (CgiFcgiArguments.Parse(args, errors), errors.ToString());
    }

    [Fact]
    public void BindConnect_ConnectsOnly()
    {
        var (parsed, errors) = Parse("-bind", "-connect", "127.0.0.1:9000");
        Assert.Equal(new CgiFcgiArguments { DoBind = true, DoStart = false, ConnectName = "127.0.0.1:9000" }, parsed);
        Assert.Empty(errors);
    }

    [Fact]
    public void StartConnect_WithServerCount_StartsOnly()
    {
        var (parsed, _) = Parse("-start", "-connect", ":9000", "/bin/app", "4");
        Assert.Equal(new CgiFcgiArguments { DoBind = false, DoStart = true, ConnectName = ":9000", AppPath = "/bin/app", ServerCount = 4 }, parsed);
    }

    [Fact]
    public void ConnectWithApp_DoesBoth_WithOneServerByDefault()
    {
        var (parsed, _) = Parse("-connect", "/tmp/s.sock", "/bin/app");
        Assert.True(parsed!.DoBind);
        Assert.True(parsed.DoStart);
        Assert.Equal(1, parsed.ServerCount);
    }

    [Theory]
    [InlineData(new[] { "-connect", "x.sock" }, "Missing application pathname\n")]
    [InlineData(new[] { "-bind" }, "Missing -connect <connName>\n")]
    [InlineData(new[] { "-bind", "-connect", "s", "-x" }, "Unknown option -x\n")]
    [InlineData(new[] { "-connect", "s", "app", "0" }, "Number of servers must be greater than 0\n")]
    [InlineData(new[] { "-connect", "s", "app", "2", "extra" }, "Unknown argument extra\n")]
    [InlineData(new[] { "-f" }, "Missing command file name after -f\n")]
    [InlineData(new[] { "-f", "/nonexistent/cmd" }, "Cannot open command file /nonexistent/cmd\n")]
    [InlineData(new[] { "-bind", "-connect", "host:99999" }, "Invalid connection name host:99999\n")]
    public void BadArguments_GiveCgiFcgisMessages(string[] args, string expected)
    {
        var (parsed, errors) = Parse(args);
        Assert.Null(parsed);
        Assert.Equal(expected, errors);
    }

    [Fact]
    public void CommandFile_SkipsCommentsAndReplacesTheCommandLine()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "# how to reach the app\n-connect 127.0.0.1:9001   \n/usr/bin/app 3\n");

            var (parsed, errors) = Parse("-bind", "-f", file);

            Assert.Empty(errors);
            Assert.Equal(new CgiFcgiArguments { ConnectName = "127.0.0.1:9001", AppPath = "/usr/bin/app", ServerCount = 3 }, parsed);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
