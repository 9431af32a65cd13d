using System.Text;
using FcgiActors.Proxy.Routing;

namespace FcgiActors.Proxy.Tests.Routing;

public class ParamFilterTests
{
    private readonly ParamFilter _filter = new(["HTTP_PROXY"], ["PHP_VALUE", "PHP_ADMIN_VALUE"]);

    [Theory]
    [InlineData("PHP_VALUE", true)]
    [InlineData("php_admin_value", true)]
    [InlineData("PHP_VALUES", false)]
    [InlineData("SCRIPT_FILENAME", false)]
    public void IsStripped_ComparesWholeNameIgnoringCase(string name, bool expected)
    {
        Assert.Equal(expected, _filter.IsStripped(Encoding.ASCII.GetBytes(name)));
    }

    [Fact]
    public void IsDenied_ListedName_IsTrue()
    {
        Assert.True(_filter.IsDenied("HTTP_PROXY"u8));
        Assert.False(_filter.IsDenied("HTTP_HOST"u8));
    }

    [Fact]
    public void IsEmpty_NoLists_IsTrue()
    {
        Assert.True(new ParamFilter([], []).IsEmpty);
        Assert.False(_filter.IsEmpty);
    }
}
