using System.Buffers;
using System.Net.Sockets;
using FcgiActors.Client;
using FcgiActors.Protocol;

namespace FcgiActors.Proxy.Routing;

/// <summary>
/// Active health check of a backend taken out: connect, send FCGI_GET_VALUES (§4.1), and call
/// it healthy when a GET_VALUES_RESULT comes back, or when the connection is still open at the
/// deadline (libfcgi answers GET_VALUES only once more bytes arrive). A refused or reset
/// connection, or EOF, is unhealthy.
/// </summary>
internal static class BackendProbe
{
    public static async Task<bool> ProbeAsync(BackendAddress address, TimeSpan answerWait, CancellationToken cancellationToken)
    {
        var (family, protocol) = address.IsUnix ? (AddressFamily.Unix, ProtocolType.Unspecified) : (address.ToEndPoint().AddressFamily, ProtocolType.Tcp);
        using var socket = new Socket(family, SocketType.Stream, protocol);
        try
        {
            await socket.ConnectAsync(address.ToEndPoint(), cancellationToken).ConfigureAwait(false);
            var query = new ArrayBufferWriter<byte>(64);
            GetValues.WriteQuery(query);
            await socket.SendAsync(query.WrittenMemory, SocketFlags.None, cancellationToken).ConfigureAwait(false);

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(answerWait);
            var buffer = new byte[1024];
            try
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token).ConfigureAwait(false);
                return n >= FcgiConstants.HeaderLength && buffer[1] == (byte)RecordType.GetValuesResult;
            }
            catch (OperationCanceledException)
            {
                return true; // connected and not closed: alive, just silent
            }
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
