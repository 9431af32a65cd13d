using System.Net;
using System.Security.Cryptography;
using FcgiActors.Hosting.AspNetCore;
using FcgiActors.Testing.Peers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Hosting.Tests.AspNetCore;

/// <summary>
/// A minimal-API application served by <see cref="FastCgiAspNetServer"/> on a free loopback port,
/// behind a real nginx on another free port. Shared by the tests of one class; everything is
/// stopped at the end (nginx by PID).
/// </summary>
public sealed class AspNetOverNginxFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private NginxPeer? _nginx;

    public HttpClient Client { get; private set; } = null!;

    public NginxPeer Nginx => _nginx!;

    /// <summary>Set by /stream/abort once its RequestAborted token fired.</summary>
    public TaskCompletionSource AbortObserved { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Set by /stream/abort when it started waiting.</summary>
    public TaskCompletionSource AbortWaiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Released by the streaming test once it saw the first chunk.</summary>
    public TaskCompletionSource StreamGate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders().AddFilter(_ => false);
        builder.WebHost.UseFastCgi(o => o.Listen("127.0.0.1:0"));
        _app = builder.Build();
        MapRoutes(_app);
        await _app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var endpoint = (IPEndPoint)_app.Services.GetRequiredService<FastCgiAspNetServer>().BoundEndPoints[0];
        _nginx = await NginxPeer.StartAsync($"127.0.0.1:{endpoint.Port}");
        Client = new HttpClient { BaseAddress = _nginx.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_nginx is not null)
        {
            await _nginx.DisposeAsync();
        }

        if (_app is not null)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _app.StopAsync(cts.Token);
            await _app.DisposeAsync();
        }
    }

    private void MapRoutes(WebApplication app)
    {
        app.MapGet("/hello", () => "Hello, FastCGI!");

        app.MapGet("/items/{id:int}", (int id) => Results.Json(new { id, name = "item" + id }));

        app.MapGet("/request", (HttpContext ctx) =>
        {
            ctx.Response.Headers["X-Reply"] = "yes";
            ctx.Response.Headers.Append("Set-Cookie", "a=1; Path=/");
            ctx.Response.Headers.Append("Set-Cookie", "b=2; Path=/");
            var r = ctx.Request;
            return string.Join('\n',
                $"method={r.Method}", $"scheme={r.Scheme}", $"host={r.Host}", $"path={r.Path.Value}",
                $"query={r.QueryString.Value}", $"protocol={r.Protocol}", $"custom={r.Headers["X-Custom"]}",
                $"remote={ctx.Connection.RemoteIpAddress}", $"localport={ctx.Connection.LocalPort}",
                $"agent={r.Headers.UserAgent}");
        });

        app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));

        app.MapGet("/throw", (Func<string>)(() => throw new InvalidOperationException("boom")));

        app.MapPost("/upload", async (HttpRequest request) =>
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                total += read;
            }

            return $"length={total} sha256={Convert.ToHexString(sha.GetHashAndReset())}";
        });

        app.MapGet("/stream/chunks", async (HttpContext ctx) =>
        {
            ctx.Response.ContentType = "text/plain";
            await ctx.Response.WriteAsync("first\n");
            await StreamGate.Task.WaitAsync(TimeSpan.FromSeconds(20));
            for (var i = 2; i <= 5; i++)
            {
                await ctx.Response.WriteAsync($"chunk {i}\n");
            }
        });

        app.MapGet("/stream/abort", async (HttpContext ctx) =>
        {
            await ctx.Response.WriteAsync("waiting\n");
            AbortWaiting.TrySetResult();
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(20), ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                AbortObserved.TrySetResult();
            }
        });
    }
}
