using FcgiActors.Hocon;
using Microsoft.Extensions.Configuration;

namespace FcgiActors.Client.Bridge;

/// <summary>Settings of <c>fcgi bridge</c> (HOCON section <c>fcgi.bridge</c>).</summary>
public sealed record BridgeSettings
{
    /// <summary>The defaults of hocon/reference.conf.</summary>
    public static BridgeSettings Default { get; } = new();

    /// <summary>
    /// fcgi.bridge.get-values: send FCGI_GET_VALUES ahead of the request, without waiting for
    /// the answer (checked for well-formedness when it comes, otherwise unused: one request needs no limits).
    /// </summary>
    public bool SendGetValues { get; init; } = true;

    /// <summary>fcgi.bridge.connect-timeout: longest connect (cgi-fcgi has none).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>fcgi.bridge.listen-backlog: backlog of the socket created by -start (cgi-fcgi: 5).</summary>
    public int ListenBacklog { get; init; } = 128;

    /// <summary>fcgi.bridge.abort-wait: after our stdout broke, how long to wait for the END_REQUEST answering our ABORT_REQUEST.</summary>
    public TimeSpan AbortWait { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// fcgi.bridge.output-buffer: the receive buffer between the socket and fds 1 and 2 (response
    /// bytes read at once; STDOUT is written from it without another copy). At least two whole records.
    /// </summary>
    public int OutputBufferSize { get; init; } = 512 * 1024;

    /// <summary>Throws <see cref="ArgumentException"/> naming the HOCON path of the first invalid value.</summary>
    public BridgeSettings Validate()
    {
        if (ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("fcgi.bridge.connect-timeout must be a positive duration.");
        }

        if (AbortWait < TimeSpan.Zero)
        {
            throw new ArgumentException("fcgi.bridge.abort-wait must not be negative.");
        }

        if (ListenBacklog < 1)
        {
            throw new ArgumentException("fcgi.bridge.listen-backlog must be at least 1.");
        }

        if (OutputBufferSize < Protocol.FcgiConstants.MinimumPipePauseThreshold)
        {
            throw new ArgumentException($"fcgi.bridge.output-buffer must be at least {Protocol.FcgiConstants.MinimumPipePauseThreshold} bytes.");
        }

        return this;
    }

    /// <summary>Binds the <c>fcgi.bridge</c> section with <see cref="ConfigurationReader"/>; missing keys keep their defaults.</summary>
    /// <exception cref="ConfigurationException">A value is invalid; the message names its HOCON path.</exception>
    public static BridgeSettings FromConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var d = Default;
        return new BridgeSettings
        {
            SendGetValues = section.GetBool("get-values", d.SendGetValues),
            ConnectTimeout = section.GetDuration("connect-timeout", d.ConnectTimeout, TimeSpan.FromMilliseconds(1)),
            ListenBacklog = section.GetInt("listen-backlog", d.ListenBacklog, 1, 65535),
            AbortWait = section.GetDuration("abort-wait", d.AbortWait),
            OutputBufferSize = (int)section.GetSize("output-buffer", d.OutputBufferSize,
                Protocol.FcgiConstants.MinimumPipePauseThreshold, int.MaxValue / 2),
        }.Validate();
    }
}
