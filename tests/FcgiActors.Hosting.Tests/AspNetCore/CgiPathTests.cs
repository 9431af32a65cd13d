using FcgiActors.Hosting.AspNetCore;

namespace FcgiActors.Hosting.Tests.AspNetCore;

public class CgiPathTests
{
    [Theory]
    [InlineData("/plain", "/plain")]
    [InlineData("/a%20b", "/a b")]
    [InlineData("/caf%C3%A9", "/café")]
    [InlineData("/a%2Fb", "/a%2Fb")]        // an encoded '/' stays encoded: it is data, not a separator
    [InlineData("/a%2fb", "/a%2fb")]
    [InlineData("/bad%zz", "/bad%zz")]      // not an escape: kept as is
    [InlineData("/trail%", "/trail%")]
    [InlineData("/trail%4", "/trail%4")]
    [InlineData("/bad%FF", "/bad%FF")]      // invalid UTF-8: the raw text is kept
    public void Decode_RawPath_DecodesLikeKestrel(string raw, string expected) =>
        Assert.Equal(expected, CgiPath.Decode(raw));

    [Theory]
    [InlineData("/a/b", "/a/b")]
    [InlineData("/a/./b", "/a/b")]
    [InlineData("/a/../b", "/b")]
    [InlineData("/../../etc/passwd", "/etc/passwd")]
    [InlineData("/a/b/..", "/a/")]
    [InlineData("/a/.", "/a/")]
    [InlineData("", "/")]
    [InlineData("/", "/")]
    [InlineData("/a/.hidden", "/a/.hidden")]
    public void RemoveDotSegments_Path_FollowsRfc3986(string path, string expected) =>
        Assert.Equal(expected, CgiPath.RemoveDotSegments(path));
}
