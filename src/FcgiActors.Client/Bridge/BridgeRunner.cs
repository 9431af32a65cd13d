using System.ComponentModel;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using FcgiActors.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FcgiActors.Client.Bridge;

/// <summary>
/// <c>fcgi bridge</c>: one CGI invocation (environment + stdin) becomes one FastCGI
/// responder request; the application's STDOUT and STDERR go to our stdout and stderr and its
/// appStatus becomes the exit code. One connection (made here, so connect errors map to cgi-fcgi's
/// exit codes), one request, through a one-connection <see cref="BackendPool"/>.
/// </summary>
public sealed class BridgeRunner
{
    private readonly BridgeSettings _settings;
    private readonly ILoggerFactory _loggerFactory;

    public BridgeRunner(BridgeSettings? settings = null, ILoggerFactory? loggerFactory = null)
    {
        _settings = (settings ?? BridgeSettings.Default).Validate();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <summary>
    /// Parses cgi-fcgi's arguments and runs; bad arguments print the usage and exit 1;
    /// <c>-h</c> or <c>--help</c> alone prints it on stdout and exits 0.
    /// </summary>
    public async Task<int> RunAsync(IReadOnlyList<string> args,
        IReadOnlyList<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>> environment,
        Stream stdin, Stream stdout, Stream stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["-h"] or ["--help"])
        {
            await stdout.WriteAsync(Encoding.UTF8.GetBytes(CgiFcgiArguments.Usage), cancellationToken).ConfigureAwait(false);
            return 0;
        }

        var errors = new StringWriter { NewLine = "\n" };
        var arguments = CgiFcgiArguments.Parse(args, errors);
        if (arguments is null)
        {
            await WriteErrorAsync(stderr, errors + CgiFcgiArguments.Usage).ConfigureAwait(false);
            return BridgeExitCodes.Usage;
        }

        return await RunAsync(arguments, environment, stdin, stdout, stderr, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Connects (starting the application if asked and needed), sends the request and relays
    /// the response. Returns the exit code: the appStatus (low 8 bits), or a
    /// <see cref="BridgeExitCodes"/> value with a one-line message on <paramref name="stderr"/>.
    /// </summary>
    public async Task<int> RunAsync(CgiFcgiArguments arguments,
        IReadOnlyList<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>> environment,
        Stream stdin, Stream stdout, Stream stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        var address = BackendAddress.Parse(arguments.ConnectName);
        Socket? socket = null;
        var connectError = 0;
        if (arguments.DoBind)
        {
            (socket, connectError) = await TryConnectAsync(address, cancellationToken).ConfigureAwait(false);
        }

        if (arguments.DoStart && (!arguments.DoBind || socket is null))
        {
            var started = await StartAsync(arguments, address, stderr).ConfigureAwait(false);
            if (started != 0 || !arguments.DoBind)
            {
                return started;
            }

            (socket, connectError) = await TryConnectAsync(address, cancellationToken).ConfigureAwait(false);
        }

        if (socket is null)
        {
            await WriteErrorAsync(stderr, $"Could not connect to {arguments.ConnectName}\n").ConfigureAwait(false);
            return connectError;
        }

        return await RelayAsync(socket, address, environment, stdin, stdout, stderr, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> RelayAsync(Socket socket, BackendAddress address,
        IReadOnlyList<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>> environment,
        Stream stdin, Stream stdout, Stream stderr, CancellationToken cancellationToken)
    {
        var clientSettings = ClientSettings.Default with
        {
            ConnectTimeout = _settings.ConnectTimeout,
            ResponseBufferSize = _settings.OutputBufferSize,
            ProbeMultiplexing = _settings.SendGetValues,
            KeepConnection = false,
        };
        // The pool takes the connected socket as its one connection; it cannot make another.
        var handedOver = 0;
        BackendConnector connector = _ =>
        {
            if (Interlocked.Exchange(ref handedOver, 1) != 0)
            {
                throw new IOException($"The connection to {address} closed; the bridge connects once.");
            }

            var (transport, owner) = BackendConnection.FromSocket(socket);
            return Task.FromResult<(IDuplexPipe, IDisposable?)>((transport, owner));
        };
        var pool = new BackendPool(address, clientSettings with { MaxConnectionsPerBackend = 1, MaxQueuedRequests = 0 },
            _loggerFactory, system: null, connector);
        await using var _ = pool.ConfigureAwait(false);

        // Exactly CONTENT_LENGTH bytes of stdin (fewer if stdin ends first; none without a valid one).
        // GET_VALUES goes out ahead of BEGIN_REQUEST, unawaited: libfcgi answers it only when
        // the next bytes arrive, and its answer may come in front of the response.
        var length = ProcessEnvironment.ContentLength(environment);
        var body = length > 0
            ? PipeReader.Create(new LimitedReadStream(stdin, length), new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true))
            : null;
        FcgiResponse response;
        try
        {
            response = await pool.SendAsync(new FcgiClientRequest { Params = environment, Stdin = body }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (FcgiBackendException ex)
        {
            await WriteErrorAsync(stderr, $"fcgi bridge: {ex.Message}\n").ConfigureAwait(false);
            return BridgeExitCodes.ProtocolError;
        }

        var stdoutCopy = CopyAsync(response.Stdout, stdout);
        var stderrCopy = CopyAsync(response.Stderr, stderr);
        // Either stream failing to write (EPIPE) ends the run at once, whatever the other does.
        var first = await Task.WhenAny(stdoutCopy, stderrCopy).ConfigureAwait(false);
        var broken = await first.ConfigureAwait(false) == CopyOutcome.WriteFailed
            || await (first == stdoutCopy ? stderrCopy : stdoutCopy).ConfigureAwait(false) == CopyOutcome.WriteFailed;
        if (broken)
        {
            // EPIPE (the reader of our stdout went away): §5.4 ABORT_REQUEST, then leave.
            await response.DisposeAsync().ConfigureAwait(false);
            try
            {
                await response.Completion.WaitAsync(_settings.AbortWait, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or FcgiBackendException or OperationCanceledException)
            {
                // Leaving anyway: the connection closes with us.
            }

            await WriteErrorAsync(stderr, "fcgi bridge: stdout closed (broken pipe); request aborted\n").ConfigureAwait(false);
            return BridgeExitCodes.BrokenPipe;
        }

        EndRequestBody end;
        try
        {
            end = await response.Completion.ConfigureAwait(false);
        }
        catch (FcgiBackendException ex)
        {
            return await ReportFailureAsync(stderr, address, ex).ConfigureAwait(false);
        }

        switch (end.ProtocolStatus)
        {
            case ProtocolStatus.RequestComplete:
                return end.AppStatus & 0xFF;
            case ProtocolStatus.Overloaded:
                await WriteErrorAsync(stderr, $"fcgi bridge: {address} is overloaded (FCGI_OVERLOADED); try again later\n").ConfigureAwait(false);
                return BridgeExitCodes.Overloaded;
            case ProtocolStatus.CantMpxConn:
                await WriteErrorAsync(stderr, $"fcgi bridge: {address} refused the request (FCGI_CANT_MPX_CONN)\n").ConfigureAwait(false);
                return BridgeExitCodes.ProtocolError;
            case ProtocolStatus.UnknownRole:
                await WriteErrorAsync(stderr, $"fcgi bridge: {address} does not play the responder role (FCGI_UNKNOWN_ROLE)\n").ConfigureAwait(false);
                return BridgeExitCodes.ProtocolError;
            default:
                await WriteErrorAsync(stderr, $"fcgi bridge: {address} ended the request with unknown protocolStatus {(byte)end.ProtocolStatus}\n").ConfigureAwait(false);
                return BridgeExitCodes.ProtocolError;
        }
    }

    private static async Task<int> ReportFailureAsync(Stream stderr, BackendAddress address, FcgiBackendException failure)
    {
        var cause = failure.InnerException;
        var (code, text) = cause switch
        {
            FcgiConnectionException c when c.Message.Contains("version", StringComparison.Ordinal) =>
                (BridgeExitCodes.UnsupportedVersion, c.Message),
            FcgiProtocolException p => (BridgeExitCodes.ProtocolError, p.Message),
            SocketException s => (Errno(s), s.Message),
            IOException { InnerException: SocketException s } => (Errno(s), s.Message),
            IOException io => (BridgeExitCodes.ProtocolError, $"{io.Message} No END_REQUEST was received."),
            _ => (BridgeExitCodes.ProtocolError, failure.Message),
        };
        await WriteErrorAsync(stderr, $"fcgi bridge: {address}: {text}\n").ConfigureAwait(false);
        return code;
    }

    private async Task<(Socket? Socket, int Errno)> TryConnectAsync(BackendAddress address, CancellationToken cancellationToken)
    {
        try
        {
            return (await BackendConnection.ConnectSocketAsync(address, _settings.ConnectTimeout, cancellationToken).ConfigureAwait(false), 0);
        }
        catch (SocketException ex)
        {
            return (null, Errno(ex));
        }
        catch (TimeoutException)
        {
            return (null, 110); // ETIMEDOUT
        }
    }

    /// <summary>cgi-fcgi's FCGI_Start: listen socket, executable check, nServers children.</summary>
    private async Task<int> StartAsync(CgiFcgiArguments arguments, BackendAddress address, Stream stderr)
    {
        Socket listener;
        try
        {
            listener = ApplicationStarter.CreateListenSocket(address, _settings.ListenBacklog);
        }
        catch (SocketException ex)
        {
            await WriteErrorAsync(stderr, $"fcgi bridge: cannot listen on {arguments.ConnectName}: {ex.Message}\n").ConfigureAwait(false);
            return Errno(ex);
        }

        try
        {
            if (!ApplicationStarter.IsExecutable(arguments.AppPath))
            {
                await WriteErrorAsync(stderr, $"{arguments.AppPath} is not executable\n").ConfigureAwait(false);
                return BridgeExitCodes.NotExecutable;
            }

            ApplicationStarter.Spawn(arguments.AppPath, listener, arguments.ServerCount);
            return 0;
        }
        catch (Win32Exception ex)
        {
            await WriteErrorAsync(stderr, $"fcgi bridge: cannot start {arguments.AppPath}: {ex.Message}\n").ConfigureAwait(false);
            return ex.NativeErrorCode is > 0 and < 256 ? ex.NativeErrorCode : BridgeExitCodes.Usage;
        }
        finally
        {
            ApplicationStarter.CloseKeepingPath(listener);
        }
    }

    private enum CopyOutcome { Done, ReadFailed, WriteFailed }

    /// <summary>Relays one response stream; a failed write (EPIPE) is told apart from a failed read.</summary>
    private static async Task<CopyOutcome> CopyAsync(PipeReader source, Stream destination)
    {
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await source.ReadAsync().ConfigureAwait(false);
                }
                catch (FcgiBackendException)
                {
                    return CopyOutcome.ReadFailed; // reported from Completion
                }

                var buffer = result.Buffer;
                try
                {
                    // Blocking writes on this task: fds 1 and 2 are pipes or files, whose
                    // "async" writes would only hop through the thread pool.
                    foreach (var segment in buffer)
                    {
                        destination.Write(segment.Span);
                    }
                }
                catch (IOException)
                {
                    return CopyOutcome.WriteFailed;
                }
                finally
                {
                    source.AdvanceTo(buffer.End);
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    return CopyOutcome.Done;
                }
            }
        }
        finally
        {
            await source.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static async Task WriteErrorAsync(Stream stderr, string text)
    {
        try
        {
            await stderr.WriteAsync(Encoding.UTF8.GetBytes(text)).ConfigureAwait(false);
            await stderr.FlushAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Nowhere left to report to.
        }
    }

    /// <summary>The errno behind a socket error, as cgi-fcgi exits with errno.</summary>
    private static int Errno(SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => 111,       // ECONNREFUSED
        SocketError.AddressNotAvailable => 2,       // ENOENT: no socket file at the path
        SocketError.ConnectionReset => 104,         // ECONNRESET
        SocketError.TimedOut => 110,                // ETIMEDOUT
        SocketError.HostUnreachable => 113,         // EHOSTUNREACH
        SocketError.NetworkUnreachable => 101,      // ENETUNREACH
        SocketError.AccessDenied => 13,             // EACCES
        SocketError.AddressAlreadyInUse => 98,      // EADDRINUSE
        SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => 2,
        _ => ex.NativeErrorCode is > 0 and < 256 ? ex.NativeErrorCode : BridgeExitCodes.ProtocolError,
    };
}
