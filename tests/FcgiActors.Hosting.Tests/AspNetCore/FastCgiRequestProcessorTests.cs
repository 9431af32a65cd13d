using System.Buffers;
using System.Net;
using System.Text;
using FcgiActors.Hosting.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;

namespace FcgiActors.Hosting.Tests.AspNetCore;

public class FastCgiRequestProcessorTests
{
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    internal static async Task<(string Output, DelegateApplication App)> RunAsync(TestExchange exchange, RequestDelegate handler)
    {
        var app = new DelegateApplication(handler);
        var processor = new FastCgiRequestProcessor<HttpContext>(app, NullLogger.Instance, metrics: null);
        await processor.ProcessAsync(exchange).WaitAsync(Timeout);
        return (await exchange.ReadOutputAsync(), app);
    }

    internal static TestExchange Get(string uri, params (string, string)[] extra) =>
        new([("REQUEST_METHOD", "GET"), ("REQUEST_URI", uri), ("SERVER_PROTOCOL", "HTTP/1.1"), .. extra]);

    [Fact]
    public async Task Process_HandlerWritesWithoutFlush_SendsHeadWithExactContentLength()
    {
        var (output, app) = await RunAsync(Get("/hello"), ctx =>
        {
            ctx.Response.ContentType = "text/plain";
            return ctx.Response.Body.WriteAsync("hello"u8.ToArray()).AsTask();
        });

        // Response.Body.WriteAsync flushes: head first, no Content-Length; the body follows.
        Assert.StartsWith("Status: 200 OK\r\n", output);
        Assert.EndsWith("\r\n\r\nhello", output);
        Assert.True(app.Disposed);
        Assert.Null(app.DisposedWith);
    }

    [Fact]
    public async Task Process_HandlerUsesBodyWriterWithoutFlush_SetsContentLength()
    {
        var (output, _) = await RunAsync(Get("/hello"), ctx =>
        {
            ctx.Response.ContentType = "text/plain";
            ctx.Response.BodyWriter.Write("hello"u8);
            return Task.CompletedTask;
        });

        Assert.Equal("Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello", output);
    }

    [Fact]
    public async Task Process_EmptyResponse_SetsContentLengthZero()
    {
        var (output, _) = await RunAsync(Get("/"), _ => Task.CompletedTask);

        Assert.Equal("Status: 200 OK\r\nContent-Length: 0\r\n\r\n", output);
    }

    [Fact]
    public async Task Process_RequestFields_ReachHttpContext()
    {
        HttpContext? seen = null;
        string? path = null, query = null, host = null, scheme = null, protocol = null, method = null;
        await RunAsync(Get("/a/b%20c?x=1", ("HTTP_HOST", "h.test"), ("HTTPS", "on"), ("REMOTE_ADDR", "10.0.0.1"),
            ("REMOTE_PORT", "4000"), ("SERVER_ADDR", "10.0.0.2"), ("SERVER_PORT", "443")), ctx =>
        {
            seen = ctx;
            (path, query, host, scheme, protocol, method) = (ctx.Request.Path.Value, ctx.Request.QueryString.Value,
                ctx.Request.Host.Value, ctx.Request.Scheme, ctx.Request.Protocol, ctx.Request.Method);
            Assert.Equal(IPAddress.Parse("10.0.0.1"), ctx.Connection.RemoteIpAddress);
            Assert.Equal(4000, ctx.Connection.RemotePort);
            Assert.Equal(IPAddress.Parse("10.0.0.2"), ctx.Connection.LocalIpAddress);
            Assert.Equal(443, ctx.Connection.LocalPort);
            Assert.Equal("test-conn", ctx.Connection.Id);
            Assert.True(ctx.Request.IsHttps);
            Assert.NotNull(ctx.Features.Get<ITlsConnectionFeature>());
            Assert.Equal("10.0.0.1", ctx.Features.Get<IServerVariablesFeature>()!["REMOTE_ADDR"]);
            Assert.StartsWith("test-conn:", ctx.TraceIdentifier, StringComparison.Ordinal);
            return Task.CompletedTask;
        });

        Assert.NotNull(seen);
        Assert.Equal("/a/b c", path);
        Assert.Equal("?x=1", query);
        Assert.Equal("h.test", host);
        Assert.Equal("https", scheme);
        Assert.Equal("HTTP/1.1", protocol);
        Assert.Equal("GET", method);
    }

    [Fact]
    public async Task Process_PlainHttp_HasNoTlsFeature()
    {
        ITlsConnectionFeature? tls = null;
        await RunAsync(Get("/"), ctx =>
        {
            tls = ctx.Features.Get<ITlsConnectionFeature>();
            return Task.CompletedTask;
        });

        Assert.Null(tls);
    }

    [Fact]
    public async Task Process_PostBody_IsReadableAsStreamAndEchoed()
    {
        var body = Encoding.ASCII.GetBytes(new string('z', 100_000));
        var exchange = new TestExchange(body, ("REQUEST_METHOD", "POST"), ("REQUEST_URI", "/echo"),
            ("CONTENT_LENGTH", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var (output, _) = await RunAsync(exchange, async ctx =>
        {
            Assert.True(ctx.Features.Get<IHttpRequestBodyDetectionFeature>()!.CanHaveBody);
            await ctx.Request.Body.CopyToAsync(ctx.Response.Body);
        });

        Assert.EndsWith("\r\n\r\n" + new string('z', 100_000), output);
    }

    [Fact]
    public async Task Process_SynchronousBodyRead_IsRefused()
    {
        var exchange = new TestExchange("abc"u8.ToArray(), ("REQUEST_METHOD", "POST"), ("CONTENT_LENGTH", "3"));

        var (output, app) = await RunAsync(exchange, ctx =>
        {
            _ = ctx.Request.Body.Read(new byte[3], 0, 3);
            return Task.CompletedTask;
        });

        Assert.IsType<InvalidOperationException>(app.DisposedWith);
        Assert.StartsWith("Status: 500 Internal Server Error\r\n", output);
    }

    [Fact]
    public async Task Process_HandlerThrowsBeforeStart_Sends500AndDisposesWithException()
    {
        var (output, app) = await RunAsync(Get("/"), ctx =>
        {
            ctx.Response.StatusCode = 201;
            ctx.Response.Headers["X-Secret"] = "leak";
            ctx.Response.BodyWriter.Write("partial"u8);
            throw new InvalidTimeZoneException("boom");
        });

        Assert.Equal("Status: 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", output);
        Assert.IsType<InvalidTimeZoneException>(app.DisposedWith);
    }

    [Fact]
    public async Task Process_HandlerThrowsAfterStart_KeepsHeadAndFailsRequest()
    {
        var exchange = Get("/");
        var (output, app) = await RunAsync(exchange, async ctx =>
        {
            await ctx.Response.WriteAsync("started");
            throw new InvalidTimeZoneException("late");
        });

        Assert.StartsWith("Status: 200 OK\r\n", output);
        Assert.EndsWith("started", output);
        Assert.IsType<InvalidTimeZoneException>(app.DisposedWith);
    }

    [Fact]
    public async Task Process_HeadRequest_SuppressesBody()
    {
        var exchange = new TestExchange(("REQUEST_METHOD", "HEAD"), ("REQUEST_URI", "/"));
        var (output, _) = await RunAsync(exchange, ctx => ctx.Response.WriteAsync("invisible"));

        Assert.Equal("Status: 200 OK\r\n\r\n", output);
    }

    [Fact]
    public async Task Process_NoContentStatus_SendsNoBodyAndNoLength()
    {
        var (output, _) = await RunAsync(Get("/"), ctx =>
        {
            ctx.Response.StatusCode = 204;
            return Task.CompletedTask;
        });

        Assert.Equal("Status: 204 No Content\r\n\r\n", output);
    }

    [Fact]
    public async Task Process_TooManyBytesForContentLength_Sends500()
    {
        var (output, app) = await RunAsync(Get("/"), ctx =>
        {
            ctx.Response.ContentLength = 2;
            ctx.Response.BodyWriter.Write("abc"u8);
            return Task.CompletedTask;
        });

        Assert.StartsWith("Status: 500 ", output);
        Assert.IsType<InvalidOperationException>(app.DisposedWith);
    }

    [Fact]
    public async Task Process_TooFewBytesAfterStart_SetsAppStatus()
    {
        var exchange = Get("/");
        var (output, app) = await RunAsync(exchange, async ctx =>
        {
            ctx.Response.ContentLength = 10;
            await ctx.Response.WriteAsync("abc");
        });

        Assert.Contains("Content-Length: 10\r\n", output, StringComparison.Ordinal);
        Assert.Equal(1, exchange.AppStatus);
        Assert.IsType<InvalidOperationException>(app.DisposedWith);
    }

    [Fact]
    public async Task Process_StreamingResponse_FlushesHeadBeforeHandlerEnds()
    {
        var exchange = Get("/stream");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var app = new DelegateApplication(async ctx =>
        {
            await ctx.Response.WriteAsync("first;");
            await release.Task;
            await ctx.Response.WriteAsync("second");
        });
        var processing = new FastCgiRequestProcessor<HttpContext>(app, NullLogger.Instance, null).ProcessAsync(exchange);

        var early = await exchange.ReadAvailableAsync("first;".Length + 1);
        Assert.StartsWith("Status: 200 OK\r\n", early);
        Assert.EndsWith("first;", early);
        Assert.DoesNotContain("Content-Length", early, StringComparison.Ordinal);

        release.SetResult();
        await processing.WaitAsync(Timeout);
        Assert.Equal("second", await exchange.ReadOutputAsync());
    }

    [Fact]
    public async Task Process_ExchangeAborted_CancelsRequestAbortedAndDiscardsOutput()
    {
        var exchange = Get("/slow");
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var observed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var app = new DelegateApplication(async ctx =>
        {
            started.SetResult();
            try
            {
                await Task.Delay(Timeout, ctx.RequestAborted);
                observed.SetResult(false);
            }
            catch (OperationCanceledException)
            {
                observed.SetResult(true);
                await ctx.Response.WriteAsync("too late");
            }
        });
        var processing = new FastCgiRequestProcessor<HttpContext>(app, NullLogger.Instance, null).ProcessAsync(exchange);

        await started.Task.WaitAsync(Timeout);
        exchange.Abort();

        Assert.True(await observed.Task.WaitAsync(Timeout));
        await processing.WaitAsync(Timeout);
        Assert.Equal(string.Empty, await exchange.ReadOutputAsync());
    }

    [Fact]
    public async Task Process_HandlerCallsAbort_SetsAppStatusAndCancels()
    {
        var exchange = Get("/");
        var cancelled = false;
        var (output, _) = await RunAsync(exchange, ctx =>
        {
            ctx.Abort();
            cancelled = ctx.RequestAborted.IsCancellationRequested;
            return Task.CompletedTask;
        });

        Assert.True(cancelled);
        Assert.Equal(1, exchange.AppStatus);
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public async Task Process_Callbacks_RunOnStartingBeforeHeadAndOnCompletedAfter()
    {
        var order = new List<string>();
        var (output, _) = await RunAsync(Get("/"), ctx =>
        {
            ctx.Response.OnStarting(() =>
            {
                order.Add("starting-1");
                return Task.CompletedTask;
            });
            ctx.Response.OnStarting(() =>
            {
                order.Add("starting-2");
                ctx.Response.Headers["X-From-OnStarting"] = "yes";
                return Task.CompletedTask;
            });
            ctx.Response.OnCompleted(() =>
            {
                order.Add("completed");
                return Task.CompletedTask;
            });
            return Task.CompletedTask;
        });

        Assert.Equal(["starting-2", "starting-1", "completed"], order);
        Assert.Contains("X-From-OnStarting: yes\r\n", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_StatusChangedAfterStart_Throws()
    {
        Exception? thrown = null;
        await RunAsync(Get("/"), async ctx =>
        {
            await ctx.Response.StartAsync();
            thrown = Record.Exception(() => ctx.Response.StatusCode = 404);
        });

        Assert.IsType<InvalidOperationException>(thrown);
    }

    [Fact]
    public async Task Process_HeaderWithNewline_Sends500()
    {
        var (output, app) = await RunAsync(Get("/"), ctx =>
        {
            ctx.Response.Headers["X-Evil"] = "a\r\nSet-Cookie: x=1";
            return Task.CompletedTask;
        });

        Assert.Equal("Status: 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", output);
        Assert.IsType<InvalidOperationException>(app.DisposedWith);
    }
}
