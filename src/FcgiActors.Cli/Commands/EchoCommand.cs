using System.CommandLine;
using System.Runtime.InteropServices;
using FcgiActors.Cli.Logging;
using FcgiActors.Responder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Cli.Commands;

/// <summary>
/// `fcgi echo [--listen ADDRESS ...] [--config FILE] [--set PATH=VALUE ...] [--log-level LEVEL]`:
/// the sample responder (<see cref="EchoHandler"/>). Configuration and logging as every command
/// (<see cref="CliConfiguration.Load"/>, <see cref="FcgiLogging"/>; logs on stderr, since stdout may
/// belong to a web server or cgi-fcgi). Without --listen it serves the listen socket on fd 0 when
/// it was spawned with one (spawn-fcgi, cgi-fcgi -start, lighttpd bin-path), else the configured
/// fcgi.responder.listen (127.0.0.1:9000 by default). SIGTERM and Ctrl+C stop it gracefully.
/// </summary>
internal static class EchoCommand
{
    public static Command Create()
    {
        var listen = new Option<string[]>("--listen", "-l")
        {
            Description = "Address to listen on: 127.0.0.1:9000, [::1]:9000, :9000 (all interfaces, IPv6 and IPv4), unix:/path or /abs/path, fd:0. Repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var config = CommonOptions.Config();
        var set = CommonOptions.Set();
        var logLevel = new Option<LogLevel?>("--log-level")
        {
            Description = "Minimum log level, replacing fcgi.logging.level (Trace logs every record).",
        };
        var command = new Command("echo", "Run the echo FastCGI responder (query, method, counter, pid, then the request body).")
        {
            listen, config, set, logLevel,
        };
        command.SetAction((result, ct) => RunAsync(result.GetValue(listen) ?? [], result.GetValue(config), result.GetValue(set) ?? [], result.GetValue(logLevel), ct));
        return command;
    }

    private static async Task<int> RunAsync(string[] listen, string? configFile, string[] overrides, LogLevel? level, CancellationToken ct)
    {
        // Bad HOCON or a bad fcgi.logging value propagates to Cli: one line naming the path, exit 78.
        var root = CliConfiguration.Load(configFile, overrides);
        ResponderSettings settings;
        try
        {
            settings = LoadSettings(root, listen);
        }
        catch (FormatException e)
        {
            throw new CliException(ExitCodes.Usage, "echo: " + e.Message, e);
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Config, "configuration error: " + e.Message, e);
        }

        using var loggerFactory = FcgiLogging.CreateLoggerFactory(root, level);
        await using var server = new FcgiServer(settings, EchoHandler.HandleAsync, loggerFactory);
        try
        {
            await server.StartAsync(ct);
        }
        catch (IOException e)
        {
            throw new CliException(ExitCodes.Unavailable, "echo: " + e.Message, e);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await server.StopAsync(CancellationToken.None);
        return ExitCodes.Ok;
    }

    /// <summary>fcgi.responder from the loaded configuration (reference.conf, --config, FCGI__ variables, --set), then --listen.</summary>
    internal static ResponderSettings LoadSettings(IConfiguration root, string[] listen)
    {
        var settings = ResponderSettings.FromConfiguration(root.GetSection("fcgi:responder"));
        if (listen.Length > 0)
        {
            return settings with { Listen = listen.Select(ListenAddress.Parse).ToArray() };
        }

        // §2.2: a web server that spawns the application hands it the listen socket as fd 0.
        return FcgiServer.IsInheritedListenSocketAvailable()
            ? settings with { Listen = [ListenAddress.InheritedSocket] }
            : settings;
    }
}
