namespace FcgiActors.Cli.Tests;

/// <summary>Runs `fcgi` in-process with captured output.</summary>
internal static class CliRunner
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var code = await Cli.RunAsync(args, output, error, timeout.Token).WaitAsync(TimeSpan.FromSeconds(60));
        return (code, output.ToString(), error.ToString());
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FcgiActors.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("FcgiActors.sln not found above " + AppContext.BaseDirectory);
    }
}
