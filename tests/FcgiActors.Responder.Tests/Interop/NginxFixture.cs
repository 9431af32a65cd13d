using System.Globalization;
using FcgiActors.Testing.Peers;

namespace FcgiActors.Responder.Tests.Interop;

/// <summary>
/// A real nginx in front of our server: its own prefix directory with a generated nginx.conf
/// (one worker, no master, logs in the directory), a free loopback port, stopped by PID.
/// </summary>
public sealed class NginxFixture : IAsyncDisposable
{
    private readonly PeerProcess _process;

    private NginxFixture(PeerProcess process, string directory, int port)
    {
        _process = process;
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public string ErrorLog => File.Exists(Path.Combine(Directory, "error.log")) ? File.ReadAllText(Path.Combine(Directory, "error.log")) : "";

    /// <summary>True when nginx is installed (test.sh installs it).</summary>
    public static bool Available => File.Exists("/usr/sbin/nginx");

    /// <param name="upstream">"127.0.0.1:PORT" or "unix:/path".</param>
    /// <param name="keepAlive">fastcgi_keep_conn on + upstream keepalive.</param>
    public static async Task<NginxFixture> StartAsync(string upstream, bool keepAlive)
    {
        var directory = Path.Combine(Path.GetTempPath(), "fcgi-nginx-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        var port = FreePort.Next();
        var conf = $$"""
            daemon off;
            master_process off;
            worker_processes 1;
            error_log {{directory}}/error.log info;
            pid {{directory}}/nginx.pid;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/body;
                fastcgi_temp_path {{directory}}/fastcgi;
                proxy_temp_path {{directory}}/proxy;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                client_max_body_size 100m;
                upstream app {
                    server {{upstream}};
                    {{(keepAlive ? "keepalive 8;" : "")}}
                }
                server {
                    listen 127.0.0.1:{{port.ToString(CultureInfo.InvariantCulture)}};
                    location / {
                        fastcgi_pass app;
                        fastcgi_keep_conn {{(keepAlive ? "on" : "off")}};
                        fastcgi_read_timeout 20s;
                        fastcgi_param QUERY_STRING $query_string;
                        fastcgi_param REQUEST_METHOD $request_method;
                        fastcgi_param CONTENT_TYPE $content_type;
                        fastcgi_param CONTENT_LENGTH $content_length;
                        fastcgi_param SCRIPT_NAME $fastcgi_script_name;
                        fastcgi_param REQUEST_URI $request_uri;
                        fastcgi_param SERVER_PROTOCOL $server_protocol;
                        fastcgi_param REMOTE_ADDR $remote_addr;
                        fastcgi_param SERVER_PORT $server_port;
                        fastcgi_param SERVER_NAME $server_name;
                    }
                }
            }
            """;
        await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), conf);
        var process = PeerProcess.Start("/usr/sbin/nginx", ["-p", directory, "-c", Path.Combine(directory, "nginx.conf")]);
        var fixture = new NginxFixture(process, directory, port);
        try
        {
            await FreePort.WaitForListenerAsync(port, TimeSpan.FromSeconds(10), () => !process.HasExited);
        }
        catch
        {
            var log = fixture.ErrorLog;
            await fixture.DisposeAsync();
            throw new InvalidOperationException("nginx did not start:\n" + process.Describe() + log);
        }

        return fixture;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
