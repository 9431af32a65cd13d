using Microsoft.Extensions.Configuration;

namespace FcgiActors.Client.Bridge;

/// <summary>Settings of <c>fcgi bridge</c> (HOCON section <c>fcgi.bridge</c>).</summary>
public sealed record BridgeSettings
{
    /// <summary>The defaults of hocon/reference.conf.</summary>
    public static BridgeSettings Default { get; } = new();

    /// <summary>
    /// fcgi.bridge.get-values: send FCGI_GET_VALUES ahead of the request (without waiting for
    /// the answer) and report the application's limits at debug level.
    /// </summary>
    public bool SendGetValues { get; init; } = true;

    /// <summary>fcgi.bridge.connect-timeout: longest connect (cgi-fcgi has none).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>fcgi.bridge.listen-backlog: backlog of the socket created by -start (cgi-fcgi: 5).</summary>
    public int ListenBacklog { get; init; } = 128;

    /// <summary>fcgi.bridge.abort-wait: after our stdout broke, how long to wait for the END_REQUEST answering our ABORT_REQUEST.</summary>
    public TimeSpan AbortWait { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>fcgi.bridge.output-buffer: STDOUT bytes buffered between the socket and fd 1 before reading pauses.</summary>
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

    /// <summary>Binds the <c>fcgi.bridge</c> section; missing keys keep their defaults.</summary>
    public static BridgeSettings FromConfiguration(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var d = Default;
        var read = new SettingsReader(section, "fcgi.bridge");
        return new BridgeSettings
        {
            SendGetValues = read.Boolean("get-values", d.SendGetValues),
            ConnectTimeout = read.Duration("connect-timeout", d.ConnectTimeout),
            ListenBacklog = read.Int("listen-backlog", d.ListenBacklog),
            AbortWait = read.Duration("abort-wait", d.AbortWait),
            OutputBufferSize = read.Size("output-buffer", d.OutputBufferSize),
        }.Validate();
    }
}
