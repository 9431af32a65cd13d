using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using FcgiActors.Protocol;

namespace FcgiActors.Client.Tests.Support;

/// <summary>Reads a whole response for assertions, bounded in time.</summary>
internal static class ResponseReader
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static async Task<(string Stdout, string Stderr, EndRequestBody End)> ReadAllAsync(FcgiResponse response)
    {
        var stdout = ReadTextAsync(response.Stdout);
        var stderr = ReadTextAsync(response.Stderr);
        var end = await response.Completion.WaitAsync(Timeout);
        return (await stdout.WaitAsync(Timeout), await stderr.WaitAsync(Timeout), end);
    }

    public static async Task<string> ReadTextAsync(PipeReader reader) =>
        Encoding.UTF8.GetString(await ReadBytesAsync(reader));

    public static async Task<byte[]> ReadBytesAsync(PipeReader reader)
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var memory = new MemoryStream();
        await reader.CopyToAsync(memory, cts.Token);
        await reader.CompleteAsync();
        return memory.ToArray();
    }

    public static FcgiClientRequest Request(string body = "", params (string Name, string Value)[] parameters)
    {
        var pairs = parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)).ToList();
        var stdin = new Pipe();
        var bytes = Encoding.UTF8.GetBytes(body);
        stdin.Writer.Write(bytes);
        stdin.Writer.Complete();
        return new FcgiClientRequest(pairs, stdin.Reader);
    }
}
