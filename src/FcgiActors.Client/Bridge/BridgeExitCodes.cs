namespace FcgiActors.Client.Bridge;

/// <summary>
/// Exit codes of <c>fcgi bridge</c> besides the application's appStatus. Where cgi-fcgi has a
/// code for the case, the bridge uses the same (it exits with libfcgi's negative FCGX_*
/// codes and with errno values).
/// </summary>
public static class BridgeExitCodes
{
    /// <summary>Bad command line (cgi-fcgi: 1).</summary>
    public const int Usage = 1;

    /// <summary>The application is not executable (cgi-fcgi: 1).</summary>
    public const int NotExecutable = 1;

    /// <summary>
    /// The application broke the protocol, or closed the connection before END_REQUEST, or
    /// ended with CANT_MPX_CONN or UNKNOWN_ROLE (cgi-fcgi: FCGX_PROTOCOL_ERROR, -3).
    /// </summary>
    public const int ProtocolError = 253;

    /// <summary>A record with a version other than 1 (cgi-fcgi: FCGX_UNSUPPORTED_VERSION, -2).</summary>
    public const int UnsupportedVersion = 254;

    /// <summary>
    /// END_REQUEST with FCGI_OVERLOADED: the application refused the request, try later
    /// (EX_TEMPFAIL; cgi-fcgi exits 253 here).
    /// </summary>
    public const int Overloaded = 75;

    /// <summary>
    /// Our stdout was closed by the reader (EPIPE): the request was aborted. 141 = 128 + SIGPIPE,
    /// what a shell reports for cgi-fcgi, which dies of that signal.
    /// </summary>
    public const int BrokenPipe = 141;

    /// <summary>Connection refused (errno ECONNREFUSED), the usual connect failure.</summary>
    public const int ConnectionRefused = 111;

    /// <summary>
    /// Nothing accepted the connection within <c>fcgi.bridge.connect-timeout</c> (errno ETIMEDOUT;
    /// cgi-fcgi has no timeout and waits for the kernel's, minutes on TCP).
    /// </summary>
    public const int ConnectTimedOut = 110;
}
