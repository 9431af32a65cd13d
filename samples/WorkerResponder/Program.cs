using FcgiActors.Hocon;
using FcgiActors.Hosting;
using Serilog;
using WorkerResponder;

// A worker service that is a FastCGI application: nginx (or Apache, IIS, `fcgi proxy`) sends it
// requests; each one is handled by GreetingHandler, resolved from DI in a scope per request.
var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddHoconFile(Path.Combine(AppContext.BaseDirectory, "fcgi.conf"), optional: true);

// Over the file: FCGI__RESPONDER__LISTEN__0=unix:/run/app.sock, then --fcgi:responder:listen:0=... switches.
builder.Configuration.AddKebabEnvironmentVariables();
builder.Configuration.AddCommandLine(args);

// Serilog as the host's logger: the responder logs through the host's ILoggerFactory.
builder.Logging.ClearProviders();
builder.Logging.AddSerilog(new LoggerConfiguration()
    .MinimumLevel.Information()
    .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}")
    .CreateLogger(), dispose: true);

builder.Services.AddSingleton<VisitCounter>();
builder.Services.AddFcgiResponder<GreetingHandler>();   // settings from fcgi.responder in fcgi.conf

await builder.Build().RunAsync();
