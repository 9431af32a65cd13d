using System.CommandLine;
using FcgiActors.Cli.Logging;
using FcgiActors.Client;
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
/// fcgi.proxy.drain-timeout, stop the children. SIGHUP: load the configuration again (same
/// file, variables and --set) and apply it with <see cref="FcgiProxy.ReloadAsync"/>.
/// </summary>
internal static partial class ProxyCommand
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
        var config = CommonOptions.Config();
        var set = CommonOptions.Set();
        var logLevel = new Option<LogLevel?>("--log-level")
        {
            Description = "Minimum log level, replacing fcgi.logging.level (sink and format still from fcgi.logging).",
        };
        var command = new Command("proxy", "Run the multiplexing FastCGI proxy (with no pool configured: two built-in echo responders).")
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
        ProxySettings settings;
        ResponderSettings front;
        ClientSettings client;
        try
        {
            (settings, front, client) = LoadSettings(root, listen);
        }
        catch (FormatException e)
        {
            throw new CliException(ExitCodes.Usage, "proxy: " + e.Message, e);
        }
        catch (ArgumentException e)
        {
            // The binders name the HOCON path (fcgi.proxy.pool-defaults.queue-size = "-1": ...).
            throw new CliException(ExitCodes.Config, "configuration error: " + e.Message, e);
        }

        SocketCompletions.PreferInline();
        using var loggerFactory = FcgiLogging.CreateLoggerFactory(root, level);
        await using var proxy = new FcgiProxy(settings, front, client, loggerFactory);
        try
        {
            await proxy.StartAsync(ct);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            await proxy.StopAsync(CancellationToken.None);
            throw new CliException(ExitCodes.Unavailable, "proxy: " + e.Message, e);
        }

        var reloader = new Reloader(proxy, configFile, overrides, listen, loggerFactory.CreateLogger("FcgiActors.Cli.ProxyCommand"));
        await reloader.RunUntilStoppedAsync(ct);
        await proxy.StopAsync(CancellationToken.None);
        return ExitCodes.Ok;
    }

    /// <summary>
    /// The loaded configuration (reference.conf, --config file, FCGI__ variables, --set), then
    /// --listen; the built-in echo pool when no pool is configured.
    /// </summary>
    internal static (ProxySettings Proxy, ResponderSettings Front, ClientSettings Client) LoadSettings(IConfiguration configuration, string[] listen)
    {
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
