using System.CommandLine;

namespace FcgiActors.Cli;

/// <summary>
/// Options every configured command shares, so `fcgi proxy`, `fcgi echo` and `fcgi config`
/// read configuration the same way: <c>CliConfiguration.Load(result.GetValue(config), result.GetValue(set))</c>.
/// </summary>
internal static class CommonOptions
{
    public static Option<string?> Config() => new("--config", "-c")
    {
        Description = $"HOCON file merged over the built-in reference.conf (default: ${CliConfiguration.ConfigFileVariable} if set).",
        HelpName = "FILE",
    };

    public static Option<string[]> Set() => new("--set")
    {
        Description = "Override one key, e.g. --set fcgi.logging.level=debug (repeatable; wins over the file and FCGI__ variables).",
        HelpName = "PATH=VALUE",
        DefaultValueFactory = _ => [],
    };
}
