using System.CommandLine;
using System.Runtime.InteropServices;
using FcgiActors.Hocon;
using FcgiActors.Responder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Cli.Commands;

/// <summary>
/// `fcgi echo [--listen ADDRESS ...] [--config FILE] [--log-level LEVEL]`: the sample responder
/// (<see cref="EchoHandler"/>). Without --listen it serves the listen socket on fd 0 when it
/// was spawned with one (spawn-fcgi, cgi-fcgi -start, lighttpd bin-path), else the configured
/// fcgi.responder.listen (127.0.0.1:9000 by default). SIGTERM and Ctrl+C stop it gracefully.
/// </summary>
internal static class EchoCommand
{
    public static Command Create()
    {
        var listen = new Option<string[]>("--listen", "-l")
        {
            Description = "Address to listen on: 127.0.0.1:9000, [::1]:9000, :9000 (all interfaces), unix:/path or /abs/path, fd:0. Repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var config = new Option<FileInfo?>("--config", "-c")
        {
            Description = "A HOCON file merged over the built-in reference.conf (section fcgi.responder).",
        };
        var logLevel = new Option<LogLevel>("--log-level")
        {
            Description = "Minimum log level on stderr (Trace logs every record).",
            DefaultValueFactory = _ => LogLevel.Information,
        };
        var command = new Command("echo", "Run the echo FastCGI responder (query, method, counter, pid, then the request body).")
        {
            listen, config, logLevel,
        };
        command.SetAction((result, ct) => RunAsync(result.GetValue(listen) ?? [], result.GetValue(config), result.GetValue(logLevel), ct));
        return command;
    }

    private static async Task<int> RunAsync(string[] listen, FileInfo? configFile, LogLevel level, CancellationToken ct)
    {
        using var loggerFactory = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(level)
            // stdout may belong to a web server or cgi-fcgi: every log line goes to stderr.
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
            .AddFilter("Microsoft", LogLevel.Warning));
        ResponderSettings settings;
        try
        {
            settings = LoadSettings(configFile, listen);
        }
        catch (Exception e) when (e is ConfigurationException or FormatException or ArgumentException or FileNotFoundException or HoconException)
        {
            await Console.Error.WriteLineAsync("fcgi echo: " + e.Message);
            return e is FormatException ? ExitCodes.Usage : ExitCodes.Config;
        }

        await using var server = new FcgiServer(settings, EchoHandler.HandleAsync, loggerFactory);
        try
        {
            await server.StartAsync(ct);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync("fcgi echo: " + e.Message);
            return ExitCodes.Unavailable;
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

    /// <summary>reference.conf, then the --config file, then FCGI__ environment variables, then --listen.</summary>
    internal static ResponderSettings LoadSettings(FileInfo? configFile, string[] listen)
    {
        var builder = new ConfigurationBuilder()
            .AddHoconResource(typeof(EchoCommand).Assembly, "FcgiActors.reference.conf", optional: true);
        if (configFile is not null)
        {
            builder.AddHoconFile(configFile.FullName);
        }

        builder.AddKebabEnvironmentVariables();
        var settings = ResponderSettings.FromConfiguration(builder.Build().GetSection("fcgi:responder"));
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
