using System.CommandLine;
using FcgiActors.Cli.Commands;
using FcgiActors.Hocon;

namespace FcgiActors.Cli;

/// <summary>
/// The `fcgi` entry point with its writers passed in, so tests run it in-process. Every failure
/// ends as one line on <c>error</c> and a distinct exit code (<see cref="ExitCodes"/>).
/// </summary>
internal static class Cli
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var loaded = new System.Runtime.CompilerServices.StrongBox<Microsoft.Extensions.Configuration.IConfigurationRoot?>();
        CliConfiguration.LastLoaded.Value = loaded;
        try
        {
            // `fcgi bridge` never gets here: Program.Main dispatches it before this type is loaded.
            var root = CreateRootCommand(output);
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                var command = string.Join(' ', CommandPath(parse.CommandResult));
                error.WriteLine($"fcgi: {string.Join("; ", parse.Errors.Select(e => e.Message.TrimEnd('.')))} (see '{command} --help')");
                return ExitCodes.Usage;
            }
            var invocation = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
            return await parse.InvokeAsync(invocation, cancellationToken);
        }
        catch (CliException e)
        {
            error.WriteLine($"fcgi: {e.Message}");
            return e.ExitCode;
        }
        catch (HoconException e)
        {
            error.WriteLine($"fcgi: configuration error: {e.Message}");
            return ExitCodes.Config;
        }
        catch (ConfigurationException e)
        {
            error.WriteLine($"fcgi: configuration error: {e.Message}{CliConfiguration.OriginOf(loaded.Value, e.Path)}");
            return ExitCodes.Config;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
        catch (Exception e)
        {
            error.WriteLine($"fcgi: internal error: {e.GetType().Name}: {e.Message}");
            return ExitCodes.Software;
        }
    }

    internal static RootCommand CreateRootCommand(TextWriter output)
    {
        var root = new RootCommand(
            "fcgi: FastCGI multiplexing proxy, cgi-fcgi compatible bridge and echo responder.\n" +
            "  fcgi bridge ...   cgi-fcgi drop-in (same arguments: -f, -connect, -start, -bind; see 'fcgi bridge -h')\n" +
            "Configuration: built-in reference.conf < --config FILE < FCGI__SECTION__KEY variables < --set PATH=VALUE.\n" +
            "Exit codes: 0 ok, 64 bad arguments, 66 missing input file, 69 unavailable, 70 internal error, 78 bad configuration.")
        {
            ProxyCommand.Create(),
            EchoCommand.Create(),
            ConfigCommand.Create(output),
        };
        // The default prints the entry assembly's version, which is the test host in-process.
        foreach (var version in root.Options.OfType<VersionOption>())
        {
            version.Action = new PrintVersionAction(output);
        }
        return root;
    }

    /// <summary>The informational version of fcgi itself ("0.1.0+commit").</summary>
    internal static string Version
        => typeof(Cli).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
               .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion
           ?? typeof(Cli).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    private sealed class PrintVersionAction(TextWriter output) : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            output.WriteLine(Version);
            return ExitCodes.Ok;
        }
    }

    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.SymbolResult? result)
    {
        var names = new Stack<string>();
        for (var r = result; r is not null; r = r.Parent)
        {
            if (r is System.CommandLine.Parsing.CommandResult c) names.Push(c.Command is RootCommand ? "fcgi" : c.Command.Name);
        }
        return names.Count == 0 ? ["fcgi"] : names;
    }
}
