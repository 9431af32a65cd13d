using FcgiActors.Hocon;
using FcgiActors.Hosting.AspNetCore;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Configuration.AddHoconFile(Path.Combine(AppContext.BaseDirectory, "fcgi.conf"), optional: true);

// Over the file: FCGI__RESPONDER__LISTEN__0=unix:/run/app.sock, then --fcgi:responder:listen:0=... switches.
builder.Configuration.AddKebabEnvironmentVariables();
builder.Configuration.AddCommandLine(args);

// One line turns the app into a FastCGI application. Listen address, first match wins:
// o.Listen(...) in code, fcgi.responder.listen in fcgi.conf, --urls / ASPNETCORE_URLS, 127.0.0.1:9000.
if (!string.Equals(builder.Configuration["server"], "kestrel", StringComparison.OrdinalIgnoreCase))
{
    builder.WebHost.UseFastCgi();
}

var app = builder.Build();

app.MapGet("/", () => "Hello, FastCGI!");
app.MapGet("/hello/{name}", (string name) => $"Hello, {name}!");
app.MapGet("/todos/{id:int}", (int id) => Results.Json(new Todo(id, $"Task {id}", id % 2 == 0), AppJsonContext.Default.Todo));
app.MapPost("/echo", async (HttpRequest request, HttpResponse response) =>
{
    response.ContentType = request.ContentType ?? "application/octet-stream";
    await request.Body.CopyToAsync(response.Body);
});
app.MapGet("/whoami", (HttpContext ctx) => new
{
    ctx.Request.Scheme,
    Host = ctx.Request.Host.Value,
    Remote = ctx.Connection.RemoteIpAddress?.ToString(),
    ctx.Request.Protocol,
}.ToString());

await app.RunAsync();

internal sealed record Todo(int Id, string Title, bool Done);

[System.Text.Json.Serialization.JsonSerializable(typeof(Todo))]
internal sealed partial class AppJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
