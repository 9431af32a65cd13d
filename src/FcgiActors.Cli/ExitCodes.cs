namespace FcgiActors.Cli;

/// <summary>Process exit codes of `fcgi` (sysexits.h where one fits).</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>EX_USAGE: bad command-line arguments.</summary>
    public const int Usage = 64;
    /// <summary>EX_NOINPUT: a file named on the command line (--config FILE) does not exist or cannot be read.</summary>
    public const int NoInput = 66;
    /// <summary>EX_UNAVAILABLE: a service could not start (address in use, backend unreachable).</summary>
    public const int Unavailable = 69;
    /// <summary>EX_SOFTWARE: an internal error.</summary>
    public const int Software = 70;
    /// <summary>EX_CONFIG: the configuration is invalid (HOCON syntax, unresolvable substitution, bad value).</summary>
    public const int Config = 78;
    /// <summary>Interrupted by SIGINT (128 + 2), as shells report it.</summary>
    public const int Interrupted = 130;
}
