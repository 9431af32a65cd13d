using System.Net;
using System.Net.Sockets;

namespace FcgiActors.Testing.Peers;

/// <summary>Loopback ports chosen free at run time.</summary>
public static class FreePort
{
    /// <summary>A TCP port on 127.0.0.1 that nothing listened on a moment ago.</summary>
    public static int Next()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Waits until something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task WaitForListenerAsync(int port, TimeSpan timeout, Func<bool>? stillAlive = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            if (stillAlive is not null && !stillAlive())
            {
                throw new InvalidOperationException($"The process meant to listen on 127.0.0.1:{port} exited.");
            }

            try
            {
                using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(20, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Nothing listened on 127.0.0.1:{port} within {timeout.TotalSeconds:0.#} s.");
            }
        }
    }

    /// <summary>Waits until a Unix socket at <paramref name="path"/> accepts connections.</summary>
    public static async Task WaitForUnixListenerAsync(string path, TimeSpan timeout, Func<bool>? stillAlive = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            if (stillAlive is not null && !stillAlive())
            {
                throw new InvalidOperationException($"The process meant to listen on {path} exited.");
            }

            try
            {
                using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await client.ConnectAsync(new UnixDomainSocketEndPoint(path), cts.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(20, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Nothing listened on {path} within {timeout.TotalSeconds:0.#} s.");
            }
        }
    }
}
