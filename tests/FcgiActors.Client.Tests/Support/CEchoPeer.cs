using FcgiActors.Testing.Peers;

namespace FcgiActors.Client.Tests.Support;

/// <summary>Our libfcgi echo listening on a free loopback port or a Unix socket; stopped by PID.</summary>
internal sealed class CEchoPeer : IAsyncDisposable
{
    private readonly PeerProcess _process;
    private readonly string? _directory;

    private CEchoPeer(PeerProcess process, BackendAddress address, string? directory)
    {
        _process = process;
        Address = address;
        _directory = directory;
    }

    public BackendAddress Address { get; }

    public static async Task<CEchoPeer> StartAsync(bool unix = false)
    {
        if (unix)
        {
            var directory = Directory.CreateTempSubdirectory("fcgi-client-echo-").FullName;
            var path = Path.Combine(directory, "echo.sock");
            var process = PeerProcess.Start(TestPaths.CEcho, [path]);
            await FreePort.WaitForUnixListenerAsync(path, TimeSpan.FromSeconds(10), () => !process.HasExited);
            return new CEchoPeer(process, BackendAddress.Unix(path), directory);
        }

        var port = FreePort.Next();
        var tcp = PeerProcess.Start(TestPaths.CEcho, [$"127.0.0.1:{port}"]);
        await FreePort.WaitForListenerAsync(port, TimeSpan.FromSeconds(10), () => !tcp.HasExited);
        return new CEchoPeer(tcp, BackendAddress.Tcp("127.0.0.1", port), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
