using System.ComponentModel;
using System.Net.Sockets;
using System.Text;

namespace FcgiActors.Client.Bridge;

/// <summary>
/// <c>fcgi bridge</c>: one CGI invocation (environment + stdin) becomes one FastCGI
/// responder request; the application's STDOUT and STDERR go to our stdout and stderr and its
/// appStatus becomes the exit code. One blocking connect (whose errno is cgi-fcgi's exit code
/// when it fails), then one <see cref="BridgeExchange"/> on that socket: no actor system, no pool,
/// no pipes, and nothing slow to dispose at the end (see docs/bridge.md).
/// </summary>
public sealed class BridgeRunner
{
    private readonly BridgeSettings _settings;

    public BridgeRunner(BridgeSettings? settings = null)
    {
        _settings = (settings ?? BridgeSettings.Default).Validate();
    }

    /// <summary>
    /// Parses cgi-fcgi's arguments and runs; bad arguments print the usage and exit 1;
    /// <c>-h</c> or <c>--help</c> alone prints it on stdout and exits 0. Blocks the calling
    /// thread until the request is over.
    /// </summary>
    public int Run(IReadOnlyList<string> args,
        IReadOnlyList<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>> environment,
        Stream stdin, Stream stdout, Stream stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["-h"] or ["--help"])
        {
            WriteError(stdout, CgiFcgiArguments.Usage);
            return 0;
        }

        var errors = new StringWriter { NewLine = "\n" };
        var arguments = CgiFcgiArguments.Parse(args, errors);
        if (arguments is null)
        {
            WriteError(stderr, errors + CgiFcgiArguments.Usage);
            return BridgeExitCodes.Usage;
        }

        return Run(arguments, environment, stdin, stdout, stderr);
    }

    /// <summary>
    /// Connects (starting the application if asked and needed), sends the request and relays
    /// the response. Returns the exit code: the appStatus (low 8 bits), or a
    /// <see cref="BridgeExitCodes"/> value with a one-line message on <paramref name="stderr"/>.
    /// </summary>
    public int Run(CgiFcgiArguments arguments,
        IReadOnlyList<KeyValuePair<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>> environment,
        Stream stdin, Stream stdout, Stream stderr)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        var address = BackendAddress.Parse(arguments.ConnectName);
        BridgeSocket? socket = null;
        var connectError = 0;
        if (arguments.DoBind)
        {
            socket = BridgeSocket.TryConnect(address, _settings.ConnectTimeout, out connectError);
        }

        if (arguments.DoStart && (!arguments.DoBind || socket is null))
        {
            var started = Start(arguments, address, stderr);
            if (started != 0 || !arguments.DoBind)
            {
                return started;
            }

            socket = BridgeSocket.TryConnect(address, _settings.ConnectTimeout, out connectError);
        }

        if (socket is null)
        {
            WriteError(stderr, $"Could not connect to {arguments.ConnectName}\n");
            return connectError;
        }

        // Closing is shutdown(2) + close(2): the exchange has nothing else to stop or wait for.
        using (socket)
        {
            return new BridgeExchange(socket, address, _settings, stdout, stderr).Run(environment, stdin);
        }
    }

    /// <summary>cgi-fcgi's FCGI_Start: listen socket, executable check, nServers children.</summary>
    private int Start(CgiFcgiArguments arguments, BackendAddress address, Stream stderr)
    {
        Socket listener;
        try
        {
            listener = ApplicationStarter.CreateListenSocket(address, _settings.ListenBacklog);
        }
        catch (SocketException ex)
        {
            WriteError(stderr, $"fcgi bridge: cannot listen on {arguments.ConnectName}: {ex.Message}\n");
            return Errno(ex);
        }

        try
        {
            if (!ApplicationStarter.IsExecutable(arguments.AppPath))
            {
                WriteError(stderr, $"{arguments.AppPath} is not executable\n");
                return BridgeExitCodes.NotExecutable;
            }

            ApplicationStarter.Spawn(arguments.AppPath, listener, arguments.ServerCount);
            return 0;
        }
        catch (Win32Exception ex)
        {
            WriteError(stderr, $"fcgi bridge: cannot start {arguments.AppPath}: {ex.Message}\n");
            return ex.NativeErrorCode is > 0 and < 256 ? ex.NativeErrorCode : BridgeExitCodes.Usage;
        }
        finally
        {
            ApplicationStarter.CloseKeepingPath(listener);
        }
    }

    /// <summary>The errno behind a listen socket's error, as cgi-fcgi exits with errno.</summary>
    private static int Errno(SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.AccessDenied => 13,             // EACCES
        SocketError.AddressAlreadyInUse => 98,      // EADDRINUSE
        SocketError.AddressNotAvailable => 99,      // EADDRNOTAVAIL
        SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => 2,
        _ => ex.NativeErrorCode is > 0 and < 256 ? ex.NativeErrorCode : BridgeExitCodes.ProtocolError,
    };

    /// <summary>One write of a message; a closed stream leaves it unsaid.</summary>
    internal static void WriteError(Stream stream, string text)
    {
        try
        {
            stream.Write(Encoding.UTF8.GetBytes(text));
            stream.Flush();
        }
        catch (IOException)
        {
            // Nowhere left to report to.
        }
    }
}
