using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using FcgiActors.Hocon;
using FcgiActors.Proxy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace FcgiActors.Cli.Commands;

internal static partial class ProxyCommand
{
    /// <summary>
    /// The running proxy's signal loop: SIGTERM and SIGINT stop it, SIGHUP reloads the
    /// configuration (like nginx and PHP-FPM). Reloads run one at a time on this loop; a SIGHUP
    /// arriving during one is queued and runs after it (several collapse into one, which reads
    /// the files as they are by then). An invalid configuration is logged and changes nothing.
    /// </summary>
    private sealed partial class Reloader(FcgiProxy proxy, string? configFile, string[] overrides, string[] listen, ILogger log)
    {
        private readonly Channel<PosixSignal> _hangups = Channel.CreateBounded<PosixSignal>(
            new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

        public async Task RunUntilStoppedAsync(CancellationToken ct)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            // Cancel: SIGHUP's default action would end the process.
            using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; _hangups.Writer.TryWrite(c.Signal); });
            try
            {
                while (await _hangups.Reader.WaitToReadAsync(stop.Token))
                {
                    _hangups.Reader.TryRead(out _);
                    await ReloadAsync(stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }

        /// <summary>Loads reference.conf, the --config file, FCGI__ variables and --set again, then applies them.</summary>
        private async Task ReloadAsync(CancellationToken ct)
        {
            var file = configFile ?? "(none)";
            IConfigurationRoot? root = null;
            try
            {
                root = CliConfiguration.Load(configFile, overrides);
                var (settings, _, client) = LoadSettings(root, listen);
                var summary = await proxy.ReloadAsync(settings, client, ct);
                LogReloaded(log, file, string.Join(", ", settings.Pools.Select(p => p.Name)), settings.Routes.Count,
                    string.Join(", ", summary.KeptPools), string.Join(", ", summary.StartedPools), string.Join(", ", summary.StoppedPools));
            }
            catch (ConfigurationException e)
            {
                LogReloadFailed(log, null, file, e.Message + CliConfiguration.OriginOf(root, e.Path));
            }
            catch (Exception e) when (e is CliException or HoconException or ArgumentException or FormatException
                or TimeoutException or IOException or SocketException or Win32Exception)
            {
                // Binders and ReloadAsync name the HOCON path; a spawn that fails names its pool.
                LogReloadFailed(log, null, file, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A reload is its own error scope: whatever went wrong, the running configuration serves on.
                LogReloadFailed(log, e, file, e.Message);
            }
        }

        [LoggerMessage(40, LogLevel.Information, "configuration reloaded from {ConfigFile}: pools [{Pools}], {RouteCount} route(s); kept [{KeptPools}], started [{StartedPools}], stopping [{StoppedPools}]")]
        private static partial void LogReloaded(ILogger logger, string configFile, string pools, int routeCount, string keptPools, string startedPools, string stoppedPools);

        [LoggerMessage(41, LogLevel.Error, "configuration reload from {ConfigFile} failed, keeping the running configuration: {Error}")]
        private static partial void LogReloadFailed(ILogger logger, Exception? ex, string configFile, string error);
    }
}
