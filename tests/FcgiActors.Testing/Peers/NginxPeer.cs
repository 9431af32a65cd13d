using System.Globalization;

namespace FcgiActors.Testing.Peers;

/// <summary>
/// A real nginx in front of a FastCGI upstream, as users deploy it: its own prefix directory
/// under the temp dir (conf, pid, error log, temp paths), <c>daemon off</c> so the PID is the one
/// we started, a free loopback port, a readiness wait, stopped by PID. Locations: <c>/</c> (nginx
/// defaults: buffered both ways) and <c>/stream/</c> (<c>fastcgi_buffering off</c>,
/// <c>fastcgi_request_buffering off</c>).
/// </summary>
public sealed class NginxPeer : IAsyncDisposable
{
    private const int WorkerConnections = 2048;

    // The CGI variables ASP.NET Core, PHP and our responder read (the stock fastcgi_params, as docs/hosting.md shows them).
    private const string FastCgiParams = """
                fastcgi_param QUERY_STRING      $query_string;
                fastcgi_param REQUEST_METHOD    $request_method;
                fastcgi_param CONTENT_TYPE      $content_type;
                fastcgi_param CONTENT_LENGTH    $content_length;
                fastcgi_param SCRIPT_NAME       $fastcgi_script_name;
                fastcgi_param REQUEST_URI       $request_uri;
                fastcgi_param DOCUMENT_URI      $document_uri;
                fastcgi_param SERVER_PROTOCOL   $server_protocol;
                fastcgi_param REQUEST_SCHEME    $scheme;
                fastcgi_param HTTPS             $https if_not_empty;
                fastcgi_param GATEWAY_INTERFACE CGI/1.1;
                fastcgi_param SERVER_SOFTWARE   nginx/$nginx_version;
                fastcgi_param REMOTE_ADDR       $remote_addr;
                fastcgi_param REMOTE_PORT       $remote_port;
                fastcgi_param SERVER_ADDR       $server_addr;
                fastcgi_param SERVER_PORT       $server_port;
                fastcgi_param SERVER_NAME       $server_name;
                fastcgi_param REDIRECT_STATUS   200;
        """;

    private readonly PeerProcess _process;

    private NginxPeer(PeerProcess process, string prefix, int port) => (_process, Prefix, Port) = (process, prefix, port);

    /// <summary>The HTTP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The private prefix directory (nginx.conf, nginx.pid, error.log, temp paths).</summary>
    public string Prefix { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>error.log so far (level info), for assertion messages.</summary>
    public string ErrorLog
    {
        get
        {
            var path = Path.Combine(Prefix, "error.log");
            return File.Exists(path) ? File.ReadAllText(path) : string.Empty;
        }
    }

    /// <summary>The nginx binary, or null when nginx is not installed (test.sh installs it).</summary>
    public static string? Executable =>
        new[] { "/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists);

    /// <summary>Writes the configuration, starts nginx and waits until its port accepts connections.</summary>
    /// <param name="upstream">The FastCGI upstream: <c>127.0.0.1:PORT</c> or <c>unix:/path</c>.</param>
    /// <param name="keepAlive">Kept upstream connections (<c>fastcgi_keep_conn on</c> + <c>keepalive</c>, as in
    /// production); false: one FastCGI connection per request (nginx's default).</param>
    /// <param name="scriptFilename">SCRIPT_FILENAME sent upstream (PHP-FPM needs it); null sends none.</param>
    public static async Task<NginxPeer> StartAsync(string upstream, bool keepAlive = true, string? scriptFilename = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(upstream);
        var nginx = Executable ?? throw new InvalidOperationException("nginx is not installed (test.sh installs it).");
        var prefix = Directory.CreateTempSubdirectory("fcgi-nginx-").FullName;
        var port = FreePort.Next();
        var conf = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(conf, Render(prefix, port, upstream, keepAlive, scriptFilename)).ConfigureAwait(false);

        var process = PeerProcess.Start(nginx, ["-p", prefix, "-e", Path.Combine(prefix, "error.log"), "-c", conf]);
        var peer = new NginxPeer(process, prefix, port);
        try
        {
            await FreePort.WaitForListenerAsync(port, TimeSpan.FromSeconds(10), () => !process.HasExited).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var log = peer.ErrorLog;
            await peer.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"nginx did not start.\n{process.Describe()}\n{log}", ex);
        }

        return peer;
    }

    private static string Render(string prefix, int port, string upstream, bool keepAlive, string? scriptFilename)
    {
        // Workers run as root only when we are root: they must read the temp dirs we created.
        var user = Environment.UserName == "root" ? "user root root;" : string.Empty;
        var script = scriptFilename is null ? string.Empty : $"fastcgi_param SCRIPT_FILENAME   {scriptFilename};";
        return $$"""
            {{user}}
            worker_processes 1;
            worker_rlimit_nofile {{OpenFilesLimit().ToString(CultureInfo.InvariantCulture)}};
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log info;
            daemon off;
            events { worker_connections {{WorkerConnections.ToString(CultureInfo.InvariantCulture)}}; }
            http {
              access_log off;
              client_body_temp_path {{prefix}}/client_body;
              fastcgi_temp_path {{prefix}}/fastcgi_temp;
              proxy_temp_path {{prefix}}/proxy_temp;
              uwsgi_temp_path {{prefix}}/uwsgi_temp;
              scgi_temp_path {{prefix}}/scgi_temp;
              client_max_body_size 100m;

              upstream fastcgi_app {
                server {{upstream}};
                {{(keepAlive ? "keepalive 32;" : string.Empty)}}
              }

              server {
                listen 127.0.0.1:{{port.ToString(CultureInfo.InvariantCulture)}} backlog=1024;
                server_name localhost;

            {{FastCgiParams}}
                {{script}}
                fastcgi_keep_conn {{(keepAlive ? "on" : "off")}};
                fastcgi_read_timeout 30s;

                location / {
                  fastcgi_pass fastcgi_app;
                }
                location /stream/ {
                  fastcgi_buffering off;
                  fastcgi_request_buffering off;
                  fastcgi_pass fastcgi_app;
                }
              }
            }
            """;
    }

    /// <summary>
    /// Room for every connection (each takes a client and an upstream descriptor), but never
    /// above our hard limit: nginx sets soft and hard to this value, which only root may raise.
    /// </summary>
    private static long OpenFilesLimit()
    {
        const long wanted = 2L * WorkerConnections + 64;
        const string prefix = "Max open files";
        var line = File.Exists("/proc/self/limits")
            ? File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))
            : null;
        var fields = line?[prefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields is { Length: >= 2 } && long.TryParse(fields[1], CultureInfo.InvariantCulture, out var hard)
            ? Math.Min(wanted, hard)
            : wanted; // "unlimited" or no /proc
    }

    /// <summary>Stops nginx by PID (SIGTERM, then SIGKILL) and removes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(Prefix, recursive: true);
        }
        catch (IOException)
        {
            // A worker may still hold a temp file for a moment; the OS temp cleaner gets it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
