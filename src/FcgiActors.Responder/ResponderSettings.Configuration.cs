using System.Globalization;
using System.Net;
using FcgiActors.Hocon;
using FcgiActors.Protocol;
using Microsoft.Extensions.Configuration;

namespace FcgiActors.Responder;

public sealed partial record ResponderSettings
{
    /// <summary>
    /// Binds the <c>fcgi.responder</c> section; absent keys keep <see cref="Default"/>'s values.
    /// </summary>
    /// <exception cref="ConfigurationException">A value is malformed or out of range; the message names its HOCON path.</exception>
    public static ResponderSettings FromConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var d = Default;
        var listen = section.GetStringList("listen", []);
        var servers = section.GetStringList("web-server-addrs", []);
        var limits = d.ParamsLimits;
        var settings = new ResponderSettings
        {
            Listen = listen.Count == 0 ? d.Listen : listen.Select((text, i) => ParseListen(section, i, text)).ToArray(),
            ListenBacklog = section.GetInt("listen-backlog", d.ListenBacklog, 1, 65535),
            UnixSocketMode = ParseMode(section, section.GetOptionalString("unix-socket-mode"), d.UnixSocketMode),
            UnixSocketOwner = section.GetOptionalString("unix-socket-owner"),
            UnixSocketGroup = section.GetOptionalString("unix-socket-group"),
            WebServerAddresses = servers.Count == 0 ? null : servers.Select(s => ParseAddress(section, s)).ToArray(),
            MaxConnections = section.GetInt("max-connections", d.MaxConnections, 1),
            MaxRequestsPerConnection = section.GetInt("max-requests-per-connection", d.MaxRequestsPerConnection, 1, 65535),
            MaxConcurrentRequests = section.GetInt("max-concurrent-requests", d.MaxConcurrentRequests, 1),
            Multiplexing = section.GetBool("multiplexing", d.Multiplexing),
            ParamsLimits = new NameValueLimits(
                MaxNameLength: (int)section.GetSize("max-param-name-length", limits.MaxNameLength, 1, int.MaxValue),
                MaxValueLength: (int)section.GetSize("max-param-value-length", limits.MaxValueLength, 0, int.MaxValue),
                MaxTotalBytes: section.GetSize("max-params-bytes", limits.MaxTotalBytes, 1),
                MaxPairs: section.GetInt("max-params-pairs", limits.MaxPairs, 1)),
            StdinWindow = (int)section.GetSize("stdin-window", d.StdinWindow, FcgiConstants.MaxContentLength, int.MaxValue),
            StdoutWindow = (int)section.GetSize("stdout-window", d.StdoutWindow, 4096, int.MaxValue),
            WindowPolicy = section.GetEnum("window-policy", d.WindowPolicy),
            FirstRecordTimeout = section.GetDuration("first-record-timeout", d.FirstRecordTimeout, TimeSpan.FromMilliseconds(1)),
            ParamsTimeout = section.GetDuration("params-timeout", d.ParamsTimeout, TimeSpan.FromMilliseconds(1)),
            IdleTimeout = section.GetDuration("idle-timeout", d.IdleTimeout, TimeSpan.FromMilliseconds(1)),
            MinBodyRate = section.GetSize("min-body-rate", d.MinBodyRate),
            MinBodyRateGracePeriod = section.GetDuration("min-body-rate-grace", d.MinBodyRateGracePeriod),
            ShutdownDrainTimeout = section.GetDuration("shutdown-drain-timeout", d.ShutdownDrainTimeout),
            CloseDrainTimeout = section.GetDuration("close-drain-timeout", d.CloseDrainTimeout),
            WriteBatchSize = (int)section.GetSize("write-batch-size", d.WriteBatchSize, FcgiConstants.MaxRecordLength, int.MaxValue),
            OverloadStatus503 = section.GetBool("overload-status-503", d.OverloadStatus503),
        };
        return settings.Validate();
    }

    private static ListenAddress ParseListen(IConfiguration section, int index, string text)
    {
        try
        {
            return ListenAddress.Parse(text);
        }
        catch (FormatException e)
        {
            throw ConfigurationReader.Bad(section, "listen:" + index.ToString(CultureInfo.InvariantCulture), e.Message);
        }
    }

    private static IPAddress ParseAddress(IConfiguration section, string text) =>
        IPAddress.TryParse(text.Trim(), out var address)
            ? address
            : throw ConfigurationReader.Bad(section, "web-server-addrs", $"\"{text}\" is not an IP address");

    private static int ParseMode(IConfiguration section, string? text, int defaultValue)
    {
        if (text is null)
        {
            return defaultValue;
        }

        try
        {
            var mode = Convert.ToInt32(text.Trim(), 8);
            if (mode is >= 0 and <= 0xFFF)
            {
                return mode;
            }
        }
        catch (FormatException)
        {
        }
        catch (OverflowException)
        {
        }

        throw ConfigurationReader.Bad(section, "unix-socket-mode", $"\"{text}\" is not an octal file mode such as 0660");
    }
}
