using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FcgiActors.Protocol;
using FcgiActors.Responder;

namespace FcgiActors.Benchmarks;

/// <summary>
/// The responder's per-request cost without nginx or wrk: an in-process <see cref="FcgiServer"/>
/// running <see cref="EchoHandler"/>, driven over loopback by raw clients (KEEP_CONN, one request
/// at a time per connection, nginx's PARAMS). Prints bytes allocated and process CPU time per
/// request; both are load-independent, unlike wall-clock req/s on a shared machine.
/// <code>
/// dotnet run -c Release --project bench/FcgiActors.Benchmarks -- responder-loop [get|post64k] [requests] [connections]
/// </code>
/// FCGI_BENCH_ALLOC_TYPES=1 adds a sampled breakdown of the allocated bytes by type.
/// </summary>
internal static class ResponderLoop
{
    public static async Task<int> RunAsync(string[] args)
    {
        var kind = args.Length > 0 ? args[0] : "get";
        var total = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50_000;
        var connections = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 8;
        var body = kind == "post64k" ? new byte[65536] : [];
        var request = EncodeRequest(body);
        var settings = ResponderSettings.Default with { Listen = [ListenAddress.Parse("127.0.0.1:0")] };
        await using var server = new FcgiServer(settings, EchoHandler.HandleAsync);
        await server.StartAsync();
        var endpoint = (IPEndPoint)server.BoundEndPoints[0];

        // Warm-up: tiered JIT and PGO settle before the measured part.
        await DriveAsync(endpoint, request, Math.Max(total / 5, 2000), connections);
        using var sampler = Environment.GetEnvironmentVariable("FCGI_BENCH_ALLOC_TYPES") == "1" ? new AllocationSampler() : null;
        sampler?.Start();
        GC.Collect();
        var bytes0 = GC.GetTotalAllocatedBytes(precise: true);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var gc0 = GC.CollectionCount(0);
        var switches0 = ContextSwitches();
        var clock = Stopwatch.StartNew();
        await DriveAsync(endpoint, request, total, connections);
        clock.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - bytes0;
        var switches = ContextSwitches() - switches0;
        Console.WriteLine($"responder-loop {kind}: {total} requests over {connections} connections, " +
                          $"{bytes / (double)total:F0} B allocated/request, {cpu.TotalMicroseconds / total:F1} µs CPU/request (server + clients), " +
                          $"{switches / (double)total:F2} context switches/request, {GC.CollectionCount(0) - gc0} gen0 GCs, {total / clock.Elapsed.TotalSeconds:F0} req/s wall");
        if (sampler is not null)
        {
            // Sampled (one event per ~100 KB): shares, not exact sizes.
            foreach (var (type, sampled) in sampler.Top(25))
            {
                Console.WriteLine($"  {sampled / (double)total,8:F0} B/request  {type}");
            }
        }

        return 0;
    }

    /// <summary>Voluntary and involuntary context switches of every thread of this process (Linux).</summary>
    private static long ContextSwitches()
    {
        long sum = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.EndsWith("ctxt_switches", StringComparison.Ordinal) is false && line.Contains("ctxt_switches:", StringComparison.Ordinal))
                    {
                        sum += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // The thread exited meanwhile.
            }
        }

        return sum;
    }

    private static async Task DriveAsync(IPEndPoint endpoint, byte[] request, int total, int connections)
    {
        var remaining = total;
        var clients = new Task[connections];
        for (var i = 0; i < connections; i++)
        {
            clients[i] = Task.Run(async () =>
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(endpoint);
                var buffer = new byte[256 * 1024];
                while (Interlocked.Decrement(ref remaining) >= 0)
                {
                    await socket.SendAsync(request, SocketFlags.None);
                    await ReadUntilEndRequestAsync(socket, buffer);
                }
            });
        }

        await Task.WhenAll(clients);
    }

    private static async Task ReadUntilEndRequestAsync(Socket socket, byte[] buffer)
    {
        int start = 0, end = 0;
        var seen = new List<string>();
        while (true)
        {
            while (end - start >= FcgiConstants.HeaderLength)
            {
                var type = (RecordType)buffer[start + 1];
                var length = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(start + 4)) + buffer[start + 6] + FcgiConstants.HeaderLength;
                if (end - start < length)
                {
                    break;
                }

                start += length;
                seen.Add($"{type} {length - FcgiConstants.HeaderLength} B");
                if (type == RecordType.EndRequest)
                {
                    return;
                }
            }

            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }

            // A request that never ends is a responder bug (a lost writer wake-up was found this
            // way): name what arrived instead of hanging.
            using var stuck = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, stuck.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No END_REQUEST within 10 s; records received: {string.Join(", ", seen)}.");
            }
            if (n == 0)
            {
                throw new IOException("The server closed the connection.");
            }

            end += n;
        }
    }

    private static byte[] EncodeRequest(byte[] body)
    {
        var output = new ArrayBufferWriter<byte>();
        RecordWriter.WriteBeginRequest(output, 1, Role.Responder, BeginRequestFlags.KeepConn);
        using (var writer = new ParamsWriter(output, 1))
        {
            foreach (var (name, value) in BenchmarkData.NginxParamsUtf8)
            {
                writer.Add(name, value);
            }

            writer.Complete();
        }

        if (body.Length > 0)
        {
            RecordWriter.WriteStream(output, RecordType.Stdin, 1, body);
        }

        RecordWriter.WriteEndOfStream(output, RecordType.Stdin, 1);
        return output.WrittenSpan.ToArray();
    }
}
