using System.IO.Pipes;
using FcgiActors.Client.Bridge;

namespace FcgiActors.Client.Tests.Bridge;

public sealed class DescriptorStreamTests
{
    [Fact]
    public void WriteGathered_ManyPieces_WritesThemInOrder_AtTheDescriptorsOffset()
    {
        var path = Path.GetTempFileName();
        try
        {
            var source = new byte[4096];
            Random.Shared.NextBytes(source);
            // 200 pieces (more than one writev takes) of 1..16 bytes, with gaps between them as record headers leave.
            var pieces = new List<(int Offset, int Length)>();
            for (int i = 0, offset = 0; i < 200; i++)
            {
                var length = 1 + (i % 16);
                pieces.Add((offset, length));
                offset += length + 3;
            }

            using (var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write))
            {
                var stream = new DescriptorStream((int)handle.DangerousGetHandle(), writable: true);
                stream.Write("head:"u8);
                stream.WriteGathered(source, pieces.ToArray());
                stream.Write(":tail"u8);
            }

            var expected = "head:"u8.ToArray().Concat(pieces.SelectMany(p => source.AsSpan(p.Offset, p.Length).ToArray())).Concat(":tail"u8.ToArray());
            Assert.Equal(expected, File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Write_ToAPipeWhoseReaderClosed_ThrowsIOException()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        server.DisposeLocalCopyOfClientHandle();
        var stream = new DescriptorStream((int)server.SafePipeHandle.DangerousGetHandle(), writable: true);

        Assert.Throws<IOException>(() => stream.Write("x"u8));
        Assert.Throws<IOException>(() => stream.WriteGathered(new byte[8], [(0, 8)]));
    }

    [Fact]
    public void Read_FromAPipe_ReturnsWhatWasWritten_ThenZeroAtTheEnd()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.In);
        using (var client = new AnonymousPipeClientStream(PipeDirection.Out, server.ClientSafePipeHandle))
        {
            client.Write("abc"u8);
        }

        server.DisposeLocalCopyOfClientHandle();
        var stream = new DescriptorStream((int)server.SafePipeHandle.DangerousGetHandle(), writable: false);
        var buffer = new byte[16];

        Assert.Equal(3, stream.Read(buffer));
        Assert.Equal("abc"u8.ToArray(), buffer[..3]);
        Assert.Equal(0, stream.Read(buffer));
    }

    [Fact]
    public void ADescriptorThatIsNotOpen_BehavesAsDevNull()
    {
        // Above any RLIMIT_NOFILE Linux allows (nr_open ≤ 2^30): never an open descriptor, so
        // no other test's file can be hit.
        const int fd = int.MaxValue / 2;

        var output = new DescriptorStream(fd, writable: true);
        var input = new DescriptorStream(fd, writable: false);

        output.Write("gone"u8);
        output.WriteGathered(new byte[8], [(0, 8)]);
        Assert.Equal(0, input.Read(new byte[4]));
    }
}
