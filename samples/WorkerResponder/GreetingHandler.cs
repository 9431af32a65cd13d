using System.Text;
using FcgiActors.Hosting;
using FcgiActors.Responder;

namespace WorkerResponder;

/// <summary>Answers every request with a short text page (a CGI response: headers, blank line, body).</summary>
public sealed class GreetingHandler(VisitCounter counter, ILogger<GreetingHandler> logger) : IFcgiHandler
{
    public async Task HandleAsync(FcgiRequestContext context)
    {
        var visit = counter.Next();
        var name = context.Params.Get("QUERY_STRING") is { Length: > 0 } query ? Uri.UnescapeDataString(query) : "world";
        logger.LogInformation("Request {RequestId} on {ConnectionId}: visit {Visit}", context.RequestId, context.ConnectionId, visit);

        var body = $"Hello, {name}! You are visitor {visit}.\n";
        var response = "Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n" + body;
        await context.Output.WriteAsync(Encoding.UTF8.GetBytes(response), context.Aborted);
    }
}
