using System.Text;
using FcgiActors.Protocol;
using FcgiActors.Proxy.Tests.Support;
using FcgiActors.Testing;
using static FcgiActors.Proxy.Tests.Support.ProxyHarness;

namespace FcgiActors.Proxy.Tests;

/// <summary>The relay against scripted backends: what goes down, what comes back up.</summary>
public class ProxyRelayTests
{
    private static async Task ServeOneAtATimeAsync(ScriptedBackend.BackendConnection c, Func<BackendRequest, ScriptedBackend.BackendConnection, Task> answer)
    {
        while (await c.ReadRequestAsync() is { } request)
        {
            await answer(request, c);
        }
    }

    [Fact]
    public async Task Request_Relayed_ParamsStdinStderrAndAppStatusArriveExactly()
    {
        BackendRequest? seen = null;
        await using var backend = new ScriptedBackend(c => ServeOneAtATimeAsync(c, async (r, conn) =>
        {
            seen = r;
            await conn.WriteAsync(Records.Concat(
                Records.Stream(RecordType.Stderr, r.Id, "warned\n"u8.ToArray()),
                Records.Stream(RecordType.Stdout, r.Id, Encoding.UTF8.GetBytes("Content-Type: text/plain\r\n\r\n" + Encoding.UTF8.GetString(r.Stdin))),
                Records.EndRequest(r.Id, 7)));
        }));
        var (proxy, front) = await StartAsync(Pool(backend.Address));
        await using var _ = proxy;
        var body = Encoding.UTF8.GetBytes(new string('b', 100_000));

        var response = await FrontClient.RequestAsync(front, FrontClient.Params("x=1", "POST", body.Length, extra: ("HTTP_X_ODD", "caf\u00e9")), body, default).WaitAsync(Bound);

        Assert.Equal(7, response.AppStatus);
        Assert.Equal(ProtocolStatus.RequestComplete, response.ProtocolStatus);
        Assert.Equal("warned\n", response.Stderr);
        Assert.Equal(Encoding.UTF8.GetString(body), response.Body);
        Assert.Equal("x=1", seen!.Params["QUERY_STRING"]);
        Assert.Equal("caf\u00e9", seen.Params["HTTP_X_ODD"]);
        Assert.Equal(body, seen.Stdin);
    }

    [Fact]
    public async Task StripParams_AreRemovedBeforeTheBackend()
    {
        BackendRequest? seen = null;
        await using var backend = new ScriptedBackend(c => ServeOneAtATimeAsync(c, (r, conn) => { seen = r; return conn.RespondAsync(r.Id, "\r\nok"); }));
        var (proxy, front) = await StartAsync(Pool(backend.Address) with { StripParams = ["PHP_VALUE", "PHP_ADMIN_VALUE"] });
        await using var _ = proxy;

        var response = await FrontClient.RequestAsync(front, FrontClient.Params(extra: [("PHP_VALUE", "auto_prepend_file=/tmp/x"), ("php_admin_value", "x"), ("HTTP_HOST", "h")]), null, default).WaitAsync(Bound);

        Assert.Equal("ok", response.Body);
        Assert.False(seen!.Params.ContainsKey("PHP_VALUE"));
        Assert.False(seen.Params.ContainsKey("php_admin_value"));
        Assert.Equal("h", seen.Params["HTTP_HOST"]);
    }

    [Fact]
    public async Task DenyParams_Present_Answers403WithoutReachingTheBackend()
    {
        await using var backend = new ScriptedBackend(c => ServeOneAtATimeAsync(c, (r, conn) => conn.RespondAsync(r.Id, "\r\nok")));
        var (proxy, front) = await StartAsync(Pool(backend.Address) with { DenyParams = ["HTTP_PROXY"] });
        await using var _ = proxy;

        var response = await FrontClient.RequestAsync(front, FrontClient.Params(extra: ("HTTP_PROXY", "http://evil:8080")), null, default).WaitAsync(Bound);

        Assert.Equal(403, response.Status);
        Assert.Equal(0, backend.Accepted);
    }

    [Fact]
    public async Task Routes_ParamPrefix_SelectsPool_ElseDefault()
    {
        await using var a = new ScriptedBackend(c => ServeOneAtATimeAsync(c, (r, conn) => conn.RespondAsync(r.Id, "\r\nfrom-a")));
        await using var b = new ScriptedBackend(c => ServeOneAtATimeAsync(c, (r, conn) => conn.RespondAsync(r.Id, "\r\nfrom-b")));
        var settings = Pool(a.Address) with
        {
            Pools = [new PoolSettings { Name = "a", Backends = [a.Address] }, new PoolSettings { Name = "b", Backends = [b.Address] }],
            DefaultPool = "a",
            Routes = [new RouteSettings("SCRIPT_FILENAME", "/srv/b/", "b")],
        };
        var (proxy, front) = await StartAsync(settings);
        await using var _ = proxy;

        var toB = await FrontClient.RequestAsync(front, FrontClient.Params(script: "/srv/b/index.php"), null, default).WaitAsync(Bound);
        var toA = await FrontClient.RequestAsync(front, FrontClient.Params(script: "/srv/other/index.php"), null, default).WaitAsync(Bound);

        Assert.Equal("from-b", toB.Body);
        Assert.Equal("from-a", toA.Body);
    }

    [Fact]
    public async Task BackendAnswersOverloadedWithoutOutput_FrontGets503AndOverloaded()
    {
        await using var backend = new ScriptedBackend(c => ServeOneAtATimeAsync(c, (r, conn) =>
            conn.WriteAsync(Records.Concat(Records.MakeRecord(RecordType.Stdout, r.Id, []), Records.EndRequest(r.Id, 0, ProtocolStatus.Overloaded)))));
        var (proxy, front) = await StartAsync(Pool(backend.Address));
        await using var _ = proxy;

        var response = await FrontClient.RequestAsync(front, FrontClient.Params(), null, default).WaitAsync(Bound);

        Assert.Equal(503, response.Status);
        Assert.Equal(ProtocolStatus.Overloaded, response.ProtocolStatus);
    }
}
