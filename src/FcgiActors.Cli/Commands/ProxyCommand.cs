using System.CommandLine;
using System.Runtime.InteropServices;
using FcgiActors.Client;
using FcgiActors.Hocon;
using FcgiActors.Proxy;
using FcgiActors.Responder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Cli.Commands;

/// <summary>
/// `fcgi proxy [--listen ADDRESS ...] [--config FILE] [--log-level LEVEL]`: the multiplexing
/// proxy. With no pool configured it supervises two built-in `fcgi echo` responders, each on
/// its own private Unix socket handed to it as fd 0, so `cgi-fcgi -bind -connect
/// 127.0.0.1:9000` works at once. SIGTERM and Ctrl+C: stop accepting, drain within
/// fcgi.proxy.drain-timeout, stop the children.
/// </summary>
internal static class ProxyCommand
{
    /// <summary>The pool used when the configuration defines none.</summary>
    internal static PoolSettings BuiltInEchoPool { get; } = new()
    {
        Name = "default",
        Multiplexing = MultiplexingMode.Auto,
        MaxConnectionsPerBackend = 4,
        Spawn = new SpawnSettings
        {
            Command = SpawnSettings.SelfCommand,
            Args = ["echo", "--listen", "fd:0", "--log-level", "Warning"],
            Count = 2,
            Listen = "fd:0",
        },
    };

    public static Command Create()
    {
        var listen = new Option<string[]>("--listen", "-l")
        {
            Description = "Front address: 127.0.0.1:9000, [::1]:9000, unix:/path or /abs/path, fd:0. Repeatable. Default: fcgi.proxy.listen (127.0.0.1:9000).",
            AllowMultipleArgumentsPerToken = false,
        };
        var config = new Option<FileInfo?>("--config", "-c")
        {
            Description = "A HOCON file merged over the built-in reference.conf (sections fcgi.proxy, fcgi.responder, fcgi.client).",
        };
        var logLevel = new Option<LogLevel>("--log-level")
        {
            Description = "Minimum log level on stderr.",
            DefaultValueFactory = _ => LogLevel.Information,
        };
        var command = new Command("proxy", "Run the multiplexing FastCGI proxy (with no pool configured: two built-in echo responders).")
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
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
            .AddFilter("Microsoft", LogLevel.Warning));
        ProxySettings settings;
        ResponderSettings front;
        ClientSettings client;
        try
        {
            (settings, front, client) = LoadSettings(configFile, listen);
        }
        catch (Exception e) when (e is ConfigurationException or FormatException or ArgumentException or FileNotFoundException or HoconException)
        {
            await Console.Error.WriteLineAsync("fcgi proxy: " + e.Message);
            return e is FormatException ? ExitCodes.Usage : ExitCodes.Config;
        }

        await using var proxy = new FcgiProxy(settings, front, client, loggerFactory);
        try
        {
            await proxy.StartAsync(ct);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            await Console.Error.WriteLineAsync("fcgi proxy: " + e.Message);
            await proxy.StopAsync(CancellationToken.None);
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

        await proxy.StopAsync(CancellationToken.None);
        return ExitCodes.Ok;
    }

    /// <summary>reference.conf, then the --config file, then FCGI__ environment variables, then --listen; the built-in echo pool when no pool is configured.</summary>
    internal static (ProxySettings Proxy, ResponderSettings Front, ClientSettings Client) LoadSettings(FileInfo? configFile, string[] listen)
    {
        var builder = new ConfigurationBuilder()
            .AddHoconResource(typeof(ProxyCommand).Assembly, "FcgiActors.reference.conf", optional: true);
        if (configFile is not null)
        {
            builder.AddHoconFile(configFile.FullName);
        }

        builder.AddKebabEnvironmentVariables();
        var configuration = builder.Build();
        var proxySection = configuration.GetSection("fcgi:proxy");
        var settings = ProxySettings.FromConfiguration(proxySection);
        if (listen.Length > 0)
        {
            settings = settings with { Listen = listen };
        }

        if (settings.Pools.Count == 0)
        {
            settings = settings with { Pools = [BuiltInEchoPool with { Name = settings.DefaultPool }] };
        }

        var front = ResponderSettings.FromConfiguration(configuration.GetSection("fcgi:responder"));
        var client = ClientSettings.FromConfiguration(configuration.GetSection("fcgi:client"));
        return (settings.Validate(), front, client);
    }
}
