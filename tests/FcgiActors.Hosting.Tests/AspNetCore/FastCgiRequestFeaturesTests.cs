using System.Buffers;
using FcgiActors.Hosting.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;

namespace FcgiActors.Hosting.Tests.AspNetCore;

/// <summary>Features that middleware replaces or drives directly (RequestTimeouts, response caching, CompleteAsync).</summary>
public class FastCgiRequestFeaturesTests
{
    [Fact]
    public async Task Process_MiddlewareReplacesFeature_OverrideIsVisible()
    {
        var replacement = new StreamResponseBodyFeature(Stream.Null);
        object? seen = null;
        int revisionBefore = 0, revisionAfter = 0;
        await FastCgiRequestProcessorTests.RunAsync(FastCgiRequestProcessorTests.Get("/"), ctx =>
        {
            revisionBefore = ctx.Features.Revision;
            ctx.Features.Set<IHttpResponseBodyFeature>(replacement);
            revisionAfter = ctx.Features.Revision;
            seen = ctx.Features.Get<IHttpResponseBodyFeature>();
            return Task.CompletedTask;
        });

        Assert.Same(replacement, seen);
        Assert.True(revisionAfter > revisionBefore);
    }

    [Fact]
    public async Task Process_MiddlewareReplacesRequestAborted_NewTokenIsSeen()
    {
        using var replacement = new CancellationTokenSource();
        var seen = false;
        await FastCgiRequestProcessorTests.RunAsync(FastCgiRequestProcessorTests.Get("/"), ctx =>
        {
            ctx.RequestAborted = replacement.Token;
            replacement.Cancel();
            seen = ctx.RequestAborted.IsCancellationRequested;
            return Task.CompletedTask;
        });

        Assert.True(seen);
    }

    [Fact]
    public async Task Process_MiddlewareReplacesResponseHeaders_ReplacementIsWritten()
    {
        var (output, _) = await FastCgiRequestProcessorTests.RunAsync(FastCgiRequestProcessorTests.Get("/"), ctx =>
        {
            ctx.Features.Get<IHttpResponseFeature>()!.Headers = new HeaderDictionary { ["X-Replaced"] = "1" };
            return Task.CompletedTask;
        });

        Assert.Equal("Status: 200 OK\r\nX-Replaced: 1\r\nContent-Length: 0\r\n\r\n", output);
    }

    [Fact]
    public async Task Process_CompleteAsync_SendsResponseAndRefusesMoreWrites()
    {
        var exchange = FastCgiRequestProcessorTests.Get("/");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Exception? late = null;
        var app = new DelegateApplication(async ctx =>
        {
            ctx.Response.BodyWriter.Write("done"u8);
            await ctx.Response.CompleteAsync();
            await release.Task;
            late = await Record.ExceptionAsync(async () => await ctx.Response.BodyWriter.WriteAsync("more"u8.ToArray()));
        });
        var processing = new FastCgiRequestProcessor<HttpContext>(app, NullLogger.Instance, null).ProcessAsync(exchange);

        var sent = await exchange.ReadAvailableAsync(1);
        release.SetResult();
        await processing.WaitAsync(FastCgiRequestProcessorTests.Timeout);

        Assert.Equal("Status: 200 OK\r\nContent-Length: 4\r\n\r\ndone", sent);
        Assert.IsType<InvalidOperationException>(late);
    }
}
