using FcgiActors.Proxy.Routing;

namespace FcgiActors.Proxy.Tests.Routing;

public class RouteTableTests
{
    private static readonly RouteTable Table = new(
        [new RouteSettings("SCRIPT_FILENAME", "/srv/go/", "go"), new RouteSettings("DOCUMENT_ROOT", "/srv/php", "php")],
        "default");

    [Fact]
    public void Select_FirstMatchingPrefix_WinsInOrder()
    {
        var pool = Table.Select(name => name switch
        {
            "SCRIPT_FILENAME" => "/srv/go/index.go",
            "DOCUMENT_ROOT" => "/srv/php",
            _ => null,
        });

        Assert.Equal("go", pool);
    }

    [Fact]
    public void Select_SecondRuleMatches_WhenFirstParamMissing()
    {
        Assert.Equal("php", Table.Select(name => name == "DOCUMENT_ROOT" ? "/srv/php/site" : null));
    }

    [Fact]
    public void Select_NoRuleMatches_GivesDefaultPool()
    {
        Assert.Equal("default", Table.Select(name => name == "SCRIPT_FILENAME" ? "/SRV/GO/x" : null));
    }
}
