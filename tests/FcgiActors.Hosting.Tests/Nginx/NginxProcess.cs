using System.Globalization;
using FcgiActors.Testing.Peers;

namespace FcgiActors.Hosting.Tests.Nginx;

/// <summary>
/// A real nginx in front of a FastCGI upstream: its own prefix directory (conf, pid, logs, temp
/// paths) under the temp dir, <c>daemon off</c> so the PID is the one we started, listening on a
/// free loopback port, stopped by PID. Locations: <c>/</c> (nginx defaults: buffered both ways)
/// and <c>/stream/</c> (<c>fastcgi_buffering off</c>, <c>fastcgi_request_buffering off</c>).
/// Upstream connections are kept (<c>fastcgi_keep_conn on</c> + <c>keepalive</c>), as in production.
/// </summary>
public sealed class NginxProcess : IAsyncDisposable
{
    private readonly PeerProcess _process;

    private NginxProcess(PeerProcess process, string prefix, int port)
    {
        _process = process;
        Prefix = prefix;
        Port = port;
    }

    public int Port { get; }

    public string Prefix { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    public string ErrorLog => File.Exists(Path.Combine(Prefix, "error.log")) ? File.ReadAllText(Path.Combine(Prefix, "error.log")) : string.Empty;

    public static string? FindNginx() =>
        new[] { "/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists);

    /// <summary>Writes the configuration for an upstream at 127.0.0.1:<paramref name="upstreamPort"/>, starts nginx, waits for its port.</summary>
    public static async Task<NginxProcess> StartAsync(int upstreamPort)
    {
        var nginx = FindNginx() ?? throw new InvalidOperationException("nginx is not installed (test.sh installs it).");
        var prefix = Directory.CreateTempSubdirectory("fcgi-hosting-nginx-").FullName;
        var port = FreePort.Next();
        var conf = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(conf, Render(prefix, port, upstreamPort));

        var process = PeerProcess.Start(nginx, ["-p", prefix, "-e", Path.Combine(prefix, "error.log"), "-c", conf]);
        var server = new NginxProcess(process, prefix, port);
        try
        {
            await FreePort.WaitForListenerAsync(port, TimeSpan.FromSeconds(10), () => !process.HasExited);
        }
        catch (Exception ex)
        {
            var log = server.ErrorLog;
            await server.DisposeAsync();
            throw new InvalidOperationException($"nginx did not start.\n{process.Describe()}\n{log}", ex);
        }

        return server;
    }

    /// <summary>The configuration: the CGI variables ASP.NET Core needs, as docs/hosting.md shows them.</summary>
    public static string Render(string prefix, int port, int upstreamPort)
    {
        // Workers run as root only when we are root: they must read the temp dirs we created.
        var user = Environment.UserName == "root" ? "user root root;" : string.Empty;
        return $$"""
            {{user}}
            worker_processes 1;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log info;
            daemon off;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path {{prefix}}/client_body;
              fastcgi_temp_path {{prefix}}/fastcgi_temp;
              proxy_temp_path {{prefix}}/proxy_temp;
              uwsgi_temp_path {{prefix}}/uwsgi_temp;
              scgi_temp_path {{prefix}}/scgi_temp;
              client_max_body_size 64m;

              upstream aspnet {
                server 127.0.0.1:{{upstreamPort}};
                keepalive 8;
              }

              server {
                listen 127.0.0.1:{{port}};
                server_name localhost;

            {{FastCgiParams}}
                fastcgi_keep_conn on;
                fastcgi_read_timeout 30s;

                location / {
                  fastcgi_pass aspnet;
                }
                location /stream/ {
                  fastcgi_buffering off;
                  fastcgi_request_buffering off;
                  fastcgi_pass aspnet;
                }
              }
            }
            """;
    }

    /// <summary>The fastcgi_param lines for ASP.NET Core over FastCGI (also in docs/hosting.md).</summary>
    public const string FastCgiParams = """
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
            """;

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
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
