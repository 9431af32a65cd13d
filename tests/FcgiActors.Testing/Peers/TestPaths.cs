using System.Diagnostics;

namespace FcgiActors.Testing.Peers;

/// <summary>Where the real peers and our CLI are: from test.sh's variables, else found from the repository root.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> s_root = new(FindRoot);
    private static readonly Lazy<string> s_cEcho = new(FindCEcho);

    public static string RepoRoot => s_root.Value;

    /// <summary>Our libfcgi echo (tests/peers/c-echo.c), built by test.sh or here with gcc.</summary>
    public static string CEcho => s_cEcho.Value;

    /// <summary>fcgi.dll, run as <c>dotnet fcgi.dll COMMAND ...</c>.</summary>
    public static string Cli
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("FCGI_TEST_CLI");
            if (string.IsNullOrEmpty(path))
            {
                path = Path.Combine(RepoRoot, "src", "FcgiActors.Cli", "bin", "Release", "net10.0", "fcgi.dll");
            }

            return File.Exists(path) ? path : throw new FileNotFoundException($"fcgi.dll not found at {path}; build src/FcgiActors.Cli in Release.");
        }
    }

    public const string CgiFcgi = "/usr/bin/cgi-fcgi";

    public const string PhpFpm = "/usr/sbin/php-fpm8.2";

    private static string FindRoot()
    {
        var configured = Environment.GetEnvironmentVariable("FCGI_TEST_ROOT");
        if (!string.IsNullOrEmpty(configured) && File.Exists(Path.Combine(configured, "FcgiActors.sln")))
        {
            return configured;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FcgiActors.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("FcgiActors.sln not found above " + AppContext.BaseDirectory);
    }

    private static string FindCEcho()
    {
        var path = Environment.GetEnvironmentVariable("FCGI_TEST_C_ECHO");
        if (!string.IsNullOrEmpty(path) && File.Exists(path))
        {
            return path;
        }

        path = Path.Combine(RepoRoot, ".build", "peers", "c-echo");
        var source = Path.Combine(RepoRoot, "tests", "peers", "c-echo.c");
        if (!File.Exists(path) || File.GetLastWriteTimeUtc(source) > File.GetLastWriteTimeUtc(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var gcc = Process.Start(new ProcessStartInfo("gcc", ["-O2", "-o", path, source, "-lfcgi"]) { UseShellExecute = false })!;
            gcc.WaitForExit(60_000);
            if (gcc.ExitCode != 0)
            {
                throw new InvalidOperationException($"gcc could not build {source} (is libfcgi-dev installed?)");
            }
        }

        return path;
    }
}
