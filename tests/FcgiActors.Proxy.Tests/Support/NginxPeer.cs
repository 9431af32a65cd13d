using System.Globalization;
using FcgiActors.Testing.Peers;

namespace FcgiActors.Proxy.Tests.Support;

/// <summary>
/// A real nginx in front of the proxy: private prefix directory, `daemon off` so the PID is the
/// one started, a free loopback port, kept upstream connections (`fastcgi_keep_conn on` +
/// `keepalive`, as in production), stopped by PID.
/// </summary>
public sealed class NginxPeer : IAsyncDisposable
{
    private readonly PeerProcess _process;

    private NginxPeer(PeerProcess process, string prefix, int port)
    {
        _process = process;
        Prefix = prefix;
        Port = port;
    }

    public int Port { get; }

    public string Prefix { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    public string ErrorLog => File.Exists(Path.Combine(Prefix, "error.log")) ? File.ReadAllText(Path.Combine(Prefix, "error.log")) : "";

    /// <summary>Starts nginx with its FastCGI upstream at <paramref name="upstream"/> (127.0.0.1:PORT).</summary>
    public static async Task<NginxPeer> StartAsync(string upstream, string scriptFilename)
    {
        var nginx = new[] { "/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("nginx is not installed (test.sh installs it).");
        var prefix = Directory.CreateTempSubdirectory("fcgi-proxy-nginx-").FullName;
        var port = FreePort.Next();
        var conf = Path.Combine(prefix, "nginx.conf");
        var user = Environment.UserName == "root" ? "user root root;" : "";
        await File.WriteAllTextAsync(conf, $$"""
            {{user}}
            worker_processes 1;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log warn;
            daemon off;
            events { worker_connections 2048; }
            http {
              access_log off;
              client_body_temp_path {{prefix}}/client_body;
              fastcgi_temp_path {{prefix}}/fastcgi_temp;
              proxy_temp_path {{prefix}}/proxy_temp;
              uwsgi_temp_path {{prefix}}/uwsgi_temp;
              scgi_temp_path {{prefix}}/scgi_temp;
              client_max_body_size 64m;
              upstream fcgi_proxy {
                server {{upstream}};
                keepalive 32;
              }
              server {
                listen 127.0.0.1:{{port}} backlog=1024;
                location / {
                  fastcgi_pass fcgi_proxy;
                  fastcgi_keep_conn on;
                  fastcgi_read_timeout 30s;
                  fastcgi_param QUERY_STRING      $query_string;
                  fastcgi_param REQUEST_METHOD    $request_method;
                  fastcgi_param CONTENT_TYPE      $content_type;
                  fastcgi_param CONTENT_LENGTH    $content_length;
                  fastcgi_param SCRIPT_NAME       $fastcgi_script_name;
                  fastcgi_param SCRIPT_FILENAME   {{scriptFilename}};
                  fastcgi_param REQUEST_URI       $request_uri;
                  fastcgi_param DOCUMENT_URI      $document_uri;
                  fastcgi_param SERVER_PROTOCOL   $server_protocol;
                  fastcgi_param GATEWAY_INTERFACE CGI/1.1;
                  fastcgi_param REMOTE_ADDR       $remote_addr;
                  fastcgi_param SERVER_NAME       $server_name;
                  fastcgi_param SERVER_PORT       $server_port;
                  fastcgi_param REDIRECT_STATUS   200;
                }
              }
            }
            """);

        var process = PeerProcess.Start(nginx, ["-p", prefix, "-e", Path.Combine(prefix, "error.log"), "-c", conf]);
        var peer = new NginxPeer(process, prefix, port);
        try
        {
            await FreePort.WaitForListenerAsync(port, TimeSpan.FromSeconds(10), () => !process.HasExited);
        }
        catch (Exception ex)
        {
            var log = peer.ErrorLog;
            await peer.DisposeAsync();
            throw new InvalidOperationException($"nginx did not start.\n{process.Describe()}\n{log}", ex);
        }

        return peer;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(Prefix, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
