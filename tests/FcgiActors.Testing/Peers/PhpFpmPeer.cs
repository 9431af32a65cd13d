namespace FcgiActors.Testing.Peers;

/// <summary>
/// A real PHP-FPM master with one static pool on a free loopback port, serving an echo
/// script from a private directory; configuration generated per test, stopped by PID.
/// </summary>
public sealed class PhpFpmPeer : IAsyncDisposable
{
    // Same answer shape as the C echo: the body read from php://input as it streams.
    private const string Script = """
        <?php
        header('Content-Type: text/plain');
        $q = $_SERVER['QUERY_STRING'] ?? '';
        echo 'query=', $q, ' method=', $_SERVER['REQUEST_METHOD'] ?? '', ' content_length=', $_SERVER['CONTENT_LENGTH'] ?? '', "\n";
        $in = fopen('php://input', 'rb');
        while (!feof($in)) { echo fread($in, 65536); }
        parse_str($q, $p);
        if (isset($p['env'])) { echo $p['env'], '=', $_SERVER[$p['env']] ?? '(unset)', "\n"; }
        if (isset($p['stderr'])) { error_log('to stderr'); }
        """;

    private readonly PeerProcess _process;
    private readonly string _directory;

    private PhpFpmPeer(PeerProcess process, string directory, string address, string scriptPath)
    {
        _process = process;
        _directory = directory;
        Address = address;
        ScriptPath = scriptPath;
    }

    public string Address { get; }

    /// <summary>SCRIPT_FILENAME for requests.</summary>
    public string ScriptPath { get; }

    public static async Task<PhpFpmPeer> StartAsync(int children = 2)
    {
        var directory = Directory.CreateTempSubdirectory("fcgi-test-php-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        }

        var script = Path.Combine(directory, "echo.php");
        await File.WriteAllTextAsync(script, Script);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, (UnixFileMode)0b110_100_100);
        }

        var port = FreePort.Next();
        var root = Environment.UserName == "root";
        var user = root ? "user = www-data\ngroup = www-data\n" : "";
        var conf = $"""
            [global]
            pid = {directory}/php-fpm.pid
            error_log = {directory}/php-fpm.log
            daemonize = no

            [echo]
            {user}listen = 127.0.0.1:{port}
            listen.allowed_clients = 127.0.0.1
            pm = static
            pm.max_children = {children}
            pm.max_requests = 0
            clear_env = yes
            catch_workers_output = yes
            security.limit_extensions = .php
            php_admin_flag[expose_php] = off
            php_admin_flag[enable_post_data_reading] = off
            php_admin_value[post_max_size] = 0
            php_admin_value[output_buffering] = 0
            php_admin_value[error_log] = /dev/stderr
            php_admin_flag[log_errors] = on
            """;
        var confPath = Path.Combine(directory, "php-fpm.conf");
        await File.WriteAllTextAsync(confPath, conf);
        string[] args = root ? ["-F", "-R", "-n", "-y", confPath, "-p", directory] : ["-F", "-n", "-y", confPath, "-p", directory];
        var process = PeerProcess.Start(TestPaths.PhpFpm, args);
        try
        {
            await FreePort.WaitForListenerAsync(port, TimeSpan.FromSeconds(15), () => !process.HasExited);
        }
        catch
        {
            var log = Path.Combine(directory, "php-fpm.log");
            var text = File.Exists(log) ? await File.ReadAllTextAsync(log) : "";
            await process.DisposeAsync();
            throw new InvalidOperationException($"php-fpm did not start.\n{process.Describe()}\n{text}");
        }

        return new PhpFpmPeer(process, directory, $"127.0.0.1:{port}", script);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
