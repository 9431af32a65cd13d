using System.Globalization;

namespace FcgiActors.Client.Bridge;

/// <summary>
/// cgi-fcgi's command line: <c>-f cmdPath</c> | <c>-connect connName appPath [nServers]</c> |
/// <c>-start -connect connName appPath [nServers]</c> | <c>-bind -connect connName</c>.
/// Parsed with cgi-fcgi's rules and messages: the first plain argument is the application
/// path, a later one starting with a digit the server count; <c>-f</c> reads the arguments
/// from a file instead (lines starting with <c>#</c> skipped, words split on spaces).
/// </summary>
public sealed record CgiFcgiArguments
{
    /// <summary>The usage text printed after an argument error.</summary>
    public const string Usage =
        "Usage:\n" +
        "    fcgi bridge -f <cmdPath> , or\n" +
        "    fcgi bridge -connect <connName> <appPath> [<nServers>] , or\n" +
        "    fcgi bridge -start -connect <connName> <appPath> [<nServers>] , or\n" +
        "    fcgi bridge -bind -connect <connName> ,\n" +
        "where <connName> is a UNIX domain socket path, host:port, or :port (local host).\n" +
        "-connect alone connects, starting the application first if nothing listens;\n" +
        "-start only starts <nServers> copies with the listen socket as fd 0; -bind only connects.\n";

    /// <summary>Connect to the application (false with <c>-start</c>).</summary>
    public bool DoBind { get; init; } = true;

    /// <summary>Start the application when needed (false with <c>-bind</c>).</summary>
    public bool DoStart { get; init; } = true;

    /// <summary>The <c>connName</c>: a Unix socket path, <c>host:port</c> or <c>:port</c>.</summary>
    public string ConnectName { get; init; } = "";

    /// <summary>The application to start; empty with <c>-bind</c>.</summary>
    public string AppPath { get; init; } = "";

    /// <summary>Copies of the application to start (default 1).</summary>
    public int ServerCount { get; init; } = 1;

    /// <summary>
    /// Parses <paramref name="args"/>; on error writes cgi-fcgi's messages to
    /// <paramref name="errors"/> and returns null (the caller prints <see cref="Usage"/>, exit 1).
    /// </summary>
    public static CgiFcgiArguments? Parse(IReadOnlyList<string> args, TextWriter errors)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(errors);
        var doBind = true;
        var doStart = true;
        var connect = "";
        var app = "";
        var servers = 0;
        var failures = 0;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.StartsWith('-'))
            {
                switch (arg)
                {
                    case "-f":
                        // cgi-fcgi: the file's arguments replace the whole command line.
                        if (++i == args.Count)
                        {
                            errors.WriteLine("Missing command file name after -f");
                            return null;
                        }

                        return ParseFile(args[i], errors);
                    case "-start":
                        doBind = false;
                        break;
                    case "-bind":
                        doStart = false;
                        break;
                    case "-connect":
                        if (++i == args.Count)
                        {
                            errors.WriteLine("Missing connection name after -connect");
                            failures++;
                        }
                        else
                        {
                            connect = args[i];
                        }

                        break;
                    default:
                        errors.WriteLine($"Unknown option {arg}");
                        failures++;
                        break;
                }
            }
            else if (app.Length == 0)
            {
                app = arg;
            }
            else if (arg.Length > 0 && char.IsAsciiDigit(arg[0]) && servers == 0)
            {
                servers = LeadingInt(arg);
                if (servers <= 0)
                {
                    errors.WriteLine("Number of servers must be greater than 0");
                    failures++;
                }
            }
            else
            {
                errors.WriteLine($"Unknown argument {arg}");
                failures++;
            }
        }

        if (doStart && app.Length == 0)
        {
            errors.WriteLine("Missing application pathname");
            failures++;
        }

        if (connect.Length == 0)
        {
            errors.WriteLine("Missing -connect <connName>");
            failures++;
        }
        else if (!BackendAddress.TryParse(connect, out _))
        {
            errors.WriteLine($"Invalid connection name {connect}");
            failures++;
        }

        if (!doBind && !doStart)
        {
            errors.WriteLine("-start and -bind exclude each other");
            failures++;
        }

        return failures > 0 ? null : new CgiFcgiArguments
        {
            DoBind = doBind,
            DoStart = doStart,
            ConnectName = connect,
            AppPath = app,
            ServerCount = servers == 0 ? 1 : servers,
        };
    }

    private static CgiFcgiArguments? ParseFile(string path, TextWriter errors)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"Cannot open command file {path}");
            return null;
        }

        var words = new List<string>();
        foreach (var line in lines)
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            words.AddRange(line.TrimEnd(' ', '\t').Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        return Parse(words, errors);
    }

    /// <summary>atoi: the leading decimal digits.</summary>
    private static int LeadingInt(string text)
    {
        var end = 0;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        return int.TryParse(text.AsSpan(0, end), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue;
    }
}
