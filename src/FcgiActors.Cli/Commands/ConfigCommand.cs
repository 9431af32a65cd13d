using System.CommandLine;
using System.Reflection;
using System.Runtime.ExceptionServices;
using FcgiActors.Cli.Logging;
using FcgiActors.Hocon;
using Microsoft.Extensions.Configuration;

namespace FcgiActors.Cli.Commands;

/// <summary>
/// `fcgi config`: prints the fully resolved configuration as typed JSON (for checking a file
/// before deploying), or its keys, or regenerates the key tables of docs/configuration.md.
/// </summary>
internal static class ConfigCommand
{
    /// <summary>
    /// The areas' settings binders, found by name so this command needs no change when an area
    /// lands: `fcgi config` then fails (exit 78) exactly when the command using that area would.
    /// </summary>
    private static readonly (string Type, string Section)[] AreaSettings =
    [
        ("FcgiActors.Responder.ResponderSettings, FcgiActors.Responder", "fcgi:responder"),
        ("FcgiActors.Client.ClientSettings, FcgiActors.Client", "fcgi:client"),
        ("FcgiActors.Client.Bridge.BridgeSettings, FcgiActors.Client", "fcgi:bridge"),
        ("FcgiActors.Proxy.ProxySettings, FcgiActors.Proxy", "fcgi:proxy"),
    ];

    internal static void Validate(IConfiguration root)
    {
        LoggingSettings.FromConfiguration(root.GetSection("fcgi:logging"));
        foreach (var (typeName, section) in AreaSettings)
        {
            var bind = Type.GetType(typeName, throwOnError: false)?.GetMethod(
                "FromConfiguration", BindingFlags.Public | BindingFlags.Static, [typeof(IConfiguration)]);
            if (bind is null) continue;
            try
            {
                bind.Invoke(null, [root.GetSection(section)]);
            }
            catch (TargetInvocationException e) when (e.InnerException is ConfigurationException or HoconException)
            {
                ExceptionDispatchInfo.Throw(e.InnerException);
            }
            catch (TargetInvocationException e) when (e.InnerException is ArgumentException or FormatException)
            {
                // Binders that report bad values as ArgumentException still name the HOCON path.
                throw new CliException(ExitCodes.Config, "configuration error: " + e.InnerException.Message, e.InnerException);
            }
        }
    }

    public static Command Create(TextWriter output)
    {
        var config = CommonOptions.Config();
        var set = CommonOptions.Set();
        var path = new Argument<string?>("path")
        {
            Description = "Print only this subtree, e.g. fcgi.proxy (default: everything).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        path.Validators.Add(r =>
        {
            if (r.Tokens is [{ Value: ['-', ..] value }]) r.AddError($"Unrecognized option '{value}'");
        });
        var keys = new Option<bool>("--keys") { Description = "Print one 'path = value' line per key instead of JSON." };
        var referenceDoc = new Option<bool>("--reference-doc") { Description = "Print the Markdown key tables generated from the built-in reference.conf." };
        var updateDoc = new Option<string?>("--update-doc")
        {
            Description = "Rewrite the generated key tables between the markers of this Markdown file (docs/configuration.md).",
            HelpName = "FILE",
        };
        var command = new Command("config", "Print the fully resolved configuration as typed JSON (reference.conf + --config FILE + FCGI__ variables + --set).")
        {
            config, set, keys, referenceDoc, updateDoc, path,
        };
        command.SetAction(result =>
        {
            if (result.GetValue(referenceDoc))
            {
                output.Write(ReferenceDoc.Markdown(CliConfiguration.ReferenceText()));
                return ExitCodes.Ok;
            }
            if (result.GetValue(updateDoc) is { } doc)
            {
                string text;
                try
                {
                    text = File.ReadAllText(doc);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new CliException(ExitCodes.NoInput, $"cannot read {doc}: {e.Message}", e);
                }
                File.WriteAllText(doc, ReferenceDoc.Update(text, CliConfiguration.ReferenceText()));
                output.WriteLine($"updated {doc}");
                return ExitCodes.Ok;
            }

            var root = CliConfiguration.Load(result.GetValue(config), result.GetValue(set) ?? []);
            Validate(root);
            var tree = CliConfiguration.HoconTree(root);
            var subtree = result.GetValue(path);
            if (result.GetValue(keys))
            {
                var prefix = subtree?.Replace('.', ':');
                foreach (var (key, value) in root.AsEnumerable().Where(kv => kv.Value is not null || !root.GetSection(kv.Key).GetChildren().Any()).OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    if (prefix is not null && !key.Equals(prefix, StringComparison.OrdinalIgnoreCase) && !key.StartsWith(prefix + ":", StringComparison.OrdinalIgnoreCase)) continue;
                    output.WriteLine($"{key.Replace(':', '.')} = {value ?? "null"}");
                }
                return ExitCodes.Ok;
            }
            if (subtree is null)
            {
                output.WriteLine(ConfigJsonWriter.Render(root, tree));
                return ExitCodes.Ok;
            }
            var section = root.GetSection(subtree.Replace('.', ':'));
            if (!section.Exists())
            {
                throw new CliException(ExitCodes.Config, $"{subtree}: no such key in the configuration");
            }
            output.WriteLine(ConfigJsonWriter.Render(section, tree?.GetValue(subtree)));
            return ExitCodes.Ok;
        });
        return command;
    }
}
